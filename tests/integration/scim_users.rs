use serde_json::{json, Value};

use crate::helpers::{assert_scim_error, spawn_app};

#[tokio::test]
async fn requests_without_a_valid_credential_get_401_in_scim_form() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let none = scim.http.get(format!("{}/Users", scim.base)).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let r = scim.http.get(format!("{}/Users?filter=userName%20eq%20%22x%22", scim.base)).header("Authorization", "non-token").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "401");
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    let wrong = scim.http.get(format!("{}/Users", scim.base)).bearer_auth("cim_wrong").send().await.unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    assert!(wrong.headers().get("set-cookie").is_none(), "SCIM never opens a console session");
}

#[tokio::test]
async fn a_revoked_credential_stops_working_and_basic_credentials_work_until_then() {
    let app = spawn_app().await;
    let issued = app.services.issue_scim_credential(&crate::helpers::system(), "okta", cim::domain::credentials::CredentialKind::Basic, &Default::default()).await.unwrap();
    let username = issued.credential.username.clone().unwrap();
    let url = format!("{}/scim/v2/Users?startIndex=1&count=2", app.base);
    let ok = reqwest::Client::new().get(&url).basic_auth(&username, Some(&issued.secret)).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let bad = reqwest::Client::new().get(&url).basic_auth(&username, Some("nope")).send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    app.services.revoke_scim_credential(&crate::helpers::system(), &issued.credential.id).await.unwrap();
    let revoked = reqwest::Client::new().get(&url).basic_auth(&username, Some(&issued.secret)).send().await.unwrap();
    assert_eq!(revoked.status().as_u16(), 401);
    let listed = app.services.list_scim_credentials(&crate::helpers::system()).await.unwrap();
    assert!(listed[0].last_used.is_some());
}

#[tokio::test]
async fn okta_create_conflict_get_put_and_deactivate() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let body = json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
        "name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
        "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true});
    let created = scim.post("/Users", body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.headers["location"], created.body["meta"]["location"].as_str().unwrap());
    assert_eq!(created.headers["etag"], "W/\"1\"");
    assert!(created.body.get("password").is_none());
    assert_eq!(created.body["locale"], "en-US");

    assert_scim_error(&scim.post("/Users", body).await, 409, Some("uniqueness"));

    let found = scim.get("/Users?filter=userName%20eq%20%22TEST.USER%40OKTA.LOCAL%22&startIndex=1&count=100").await;
    assert_eq!(found.body["totalResults"], 1);
    assert_eq!(found.body["Resources"][0]["id"], id.as_str());
    // A name matches one user at most, read as one row: a page past it is empty, the total still
    // counted (not taken from where the page starts).
    let past = scim.get("/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=5&count=1").await;
    assert_eq!((past.body["totalResults"].clone(), past.body["Resources"].clone()), (json!(1), json!([])), "{}", past.body);
    let counted = scim.get("/Users?filter=userName%20eq%20%22test.user%40okta.local%22&count=0").await;
    assert_eq!((counted.body["totalResults"].clone(), counted.body["Resources"].clone()), (json!(1), json!([])), "{}", counted.body);
    let by_id = scim.get(&format!("/Users?filter=id%20eq%20%22{id}%22")).await;
    assert_eq!(by_id.body["Resources"][0]["userName"], "test.user@okta.local", "{}", by_id.body);
    // Ids are compared exactly (caseExact), names case-folded.
    let by_other_case = scim.get(&format!("/Users?filter=id%20eq%20%22{}%22", id.to_uppercase())).await;
    assert_eq!(by_other_case.body["totalResults"], 0, "{}", by_other_case.body);
    let none = scim.get("/Users?filter=userName%20eq%20%22nobody%40okta.local%22").await;
    assert_eq!(none.status, 200);
    assert_eq!(none.body["totalResults"], 0);
    assert_eq!(none.body["Resources"], json!([]));

    let mut put = scim.get(&format!("/Users/{id}")).await.body;
    put["name"]["givenName"] = json!("Changed");
    let replaced = scim.send("PUT", &format!("/Users/{id}"), Some(put), &[]).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.body["name"]["givenName"], "Changed");

    let off = scim.patch(&format!("/Users/{id}"), json!([{"op":"replace","value":{"active":false}}])).await;
    assert_eq!(off.status, 200);
    assert_eq!(scim.get(&format!("/Users/{id}")).await.body["active"], false);
    assert_scim_error(&scim.get("/Users/00919288221112222").await, 404, None);
}

#[tokio::test]
async fn entra_patch_shapes_are_applied() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let id = scim.create_user("Test_User_1@contoso.com").await["id"].as_str().unwrap().to_string();
    let path = format!("/Users/{id}");
    let r = scim.patch(&path, json!([
        {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
        {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["emails"], json!([{"value":"updatedEmail@microsoft.com","type":"work","primary":true}]));
    assert_eq!(r.body["name"]["familyName"], "updatedFamilyName");

    scim.patch(&path, json!([{"op":"add","path":"emails[type eq \"home\"].value","value":"home@example.com"}])).await;
    let got = scim.get(&path).await.body;
    assert_eq!(got["emails"][1], json!({"value":"home@example.com","type":"home","primary":false}));

    let r = scim.patch(&path, json!([{"op":"Replace","path":"active","value":"False"}])).await;
    assert_eq!(r.body["active"], false);
    let r = scim.patch(&path, json!([{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}])).await;
    assert_eq!(r.body["displayName"], "Bjfe");
    assert_eq!(r.body["name"]["givenName"], "Kkom");
    assert_eq!(r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"], "Aklq");
    let r = scim.patch(&path, json!([{"op":"Add","path":"nickName","value":"Babs"}])).await;
    assert_eq!(r.body["nickName"], "Babs");
    let r = scim.patch(&path, json!([{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"boss-id"}}])).await;
    assert_eq!(r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"], "boss-id");
    let r = scim.patch(&path, json!([{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}])).await;
    assert!(r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].get("manager").is_none());

    assert_scim_error(&scim.patch(&path, json!([])).await, 400, Some("invalidValue"));
    let by_email = scim.get("/Users?filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22UPDATEDEMAIL%40microsoft.com%22").await;
    assert_eq!(by_email.body["totalResults"], 1, "{}", by_email.body);
    let by_external = scim.get("/Users?filter=externalId%20eq%20jyoung").await;
    assert_eq!(by_external.body["totalResults"], 0);
    let soft = scim.get("/Users?filter=active%20eq%20false").await;
    assert_eq!(soft.body["totalResults"], 1, "a disabled user is still listed");
    assert_eq!(scim.send("DELETE", &path, None, &[]).await.status, 204);
    assert_scim_error(&scim.get(&path).await, 404, None);
}

#[tokio::test]
async fn workspace_entitlements_in_all_three_forms_and_put_without_them_removes_access() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let finance = app.workspace("Finance").await;
    let sales = app.workspace("Sales").await;
    let ops = app.workspace("Ops").await;
    let audit = app.workspace("audit").await;
    let r = scim.post("/Users", json!({"userName":"ws@example.com","entitlements":[
        {"type":"WORKSPACE","value":finance.id},{"type":"WORKSPACE_NAMES","value":"sales, OPS"},{"type":"WORKSPACE","value":audit.id}]})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // In name order, case folded (by bytes "audit" would come last), in every read of the user.
    let in_name_order = vec![audit.id.as_str(), finance.id.as_str(), ops.id.as_str(), sales.id.as_str()];
    let values = |list: &Value| list.as_array().unwrap().iter().map(|e| e["value"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(values(&r.body["entitlements"]), in_name_order);
    assert_eq!(r.body["entitlements"][0]["type"], "WORKSPACE");
    assert_eq!(r.body["groups"][1]["display"], "Finance");
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(values(&scim.get(&format!("/Users/{id}")).await.body["groups"]), in_name_order);
    let listed = scim.get("/Users?filter=userName%20eq%20%22ws%40example.com%22").await;
    assert_eq!(values(&listed.body["Resources"][0]["entitlements"]), in_name_order, "{}", listed.body);
    let paged = scim.get("/Users?filter=userName%20sw%20%22ws%22").await;
    assert_eq!(values(&paged.body["Resources"][0]["groups"]), in_name_order, "{}", paged.body);

    let unknown = scim.patch(&format!("/Users/{id}"), json!([{"op":"add","path":"entitlements","value":[{"type":"WORKSPACE_IDS","value":"nope"}]}])).await;
    assert_scim_error(&unknown, 400, Some("invalidValue"));
    assert!(unknown.body["detail"].as_str().unwrap().contains("nope"));
    assert_eq!(scim.get(&format!("/Users/{id}")).await.body["entitlements"].as_array().unwrap().len(), 4, "nothing changed");

    let r = scim.patch(&format!("/Users/{id}"), json!([{"op":"remove","path":"entitlements[value eq \"".to_string() + &sales.id + "\"]"}])).await;
    assert_eq!(r.body["entitlements"].as_array().unwrap().len(), 3, "{}", r.body);

    let put = scim.send("PUT", &format!("/Users/{id}"), Some(json!({"userName":"ws@example.com"})), &[]).await;
    assert_eq!(put.status, 200);
    assert_eq!(put.body["entitlements"], json!([]));
    let page = app.services.user_page(&crate::helpers::system(), &id, "").await.unwrap();
    assert_eq!(page.granted_count, 0, "the console sees the same store");
}

#[tokio::test]
async fn etags_follow_the_console_version_and_if_match_is_honoured() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let ws = app.workspace("Legal").await;
    let id = scim.create_user("etag@example.com").await["id"].as_str().unwrap().to_string();
    let grant = cim::service::UserChange {
        access: cim::service::AccessChange { grant: vec![cim::service::WorkspaceRef::Id(ws.id.clone())], ..Default::default() },
        intent: cim::service::Intent::Override,
        ..Default::default()
    };
    app.services.change_user_to(&crate::helpers::system(), &id, Some(1), grant).await.unwrap();
    let got = scim.get(&format!("/Users/{id}")).await;
    assert_eq!(got.headers["etag"], "W/\"2\"");
    assert_eq!(got.body["meta"]["version"], "W/\"2\"");
    assert_eq!(got.body["entitlements"][0]["display"], "Legal");

    let stale = scim.send("PATCH", &format!("/Users/{id}"),
        Some(json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]})),
        &[("If-Match", "W/\"1\"")]).await;
    assert_scim_error(&stale, 412, None);
    assert_eq!(scim.get(&format!("/Users/{id}")).await.body["active"], true);
    let fresh = scim.send("DELETE", &format!("/Users/{id}"), None, &[("If-Match", "W/\"2\"")]).await;
    assert_eq!(fresh.status, 204);
}

#[tokio::test]
async fn filters_sorting_paging_and_attribute_selection() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    for (i, name) in ["carol", "alice", "bob", "dave"].iter().enumerate() {
        let r = scim.post("/Users", json!({"userName": format!("{name}@example.com"), "displayName": name.to_uppercase(),
            "title": if i % 2 == 0 { "Engineer" } else { "Manager" }, "active": i != 3})).await;
        assert_eq!(r.status, 201);
    }
    let q = |f: &str| format!("/Users?filter={}", f.replace(' ', "%20").replace('"', "%22"));
    let count = |r: &crate::helpers::ScimResponse| r.body["totalResults"].as_i64().unwrap_or_else(|| panic!("{}", r.body));
    assert_eq!(count(&scim.get(&q(r#"userName sw "A" or userName ew "b@example.com""#)).await), 2);
    assert_eq!(count(&scim.get(&q(r#"title eq "manager" and not (active eq false)"#)).await), 1);
    assert_eq!(count(&scim.get(&q(r#"displayName co "AR""#)).await), 1);
    assert_eq!(count(&scim.get(&q(r#"USERNAME pr"#)).await), 4);
    // Presence of a boolean or a time is whether it has a value, on either backend.
    assert_eq!(count(&scim.get(&q(r#"active pr"#)).await), 4);
    assert_eq!(count(&scim.get(&q(r#"meta.created pr"#)).await), 4);
    assert_eq!(count(&scim.get(&q(r#"not (active pr)"#)).await), 0);
    assert_eq!(count(&scim.get(&q(r#"active ne null"#)).await), 4);
    assert_eq!(count(&scim.get(&q(r#"emails.primary pr"#)).await), 0);
    let with_primary = scim.post("/Users", json!({"userName": "erin@example.com",
        "emails": [{"value": "erin@example.com", "primary": true}, {"value": "erin@home.example"}]})).await;
    assert_eq!(with_primary.status, 201);
    assert_eq!(count(&scim.get(&q(r#"emails.primary pr"#)).await), 1);
    // Every stored e-mail has its `primary`, true or false.
    assert_eq!(count(&scim.get(&q(r#"emails[primary pr and value ew "home.example"]"#)).await), 1);
    assert_eq!(count(&scim.get(&q(r#"emails[not (primary pr) and value ew "home.example"]"#)).await), 0);
    assert_eq!(count(&scim.get(&q(r#"emails.primary eq null"#)).await), 0);
    assert_eq!(count(&scim.get(&q(r#"entitlements.primary pr"#)).await), 0);
    assert_eq!(scim.send("DELETE", &format!("/Users/{}", with_primary.body["id"].as_str().unwrap()), None, &[]).await.status, 204);
    assert_eq!(count(&scim.get(&q(r#"meta.created gt "2000-01-01T00:00:00Z""#)).await), 4);
    assert_eq!(count(&scim.get(&q(r#"userName ne "alice@example.com""#)).await), 3);
    assert_scim_error(&scim.get(&q(r#"userName eq"#)).await, 400, Some("invalidFilter"));
    assert_scim_error(&scim.get(&q(r#"shoeSize eq 3"#)).await, 400, Some("invalidFilter"));
    assert_scim_error(&scim.get(&q(r#"active gt true"#)).await, 400, Some("invalidFilter"));

    let page = scim.get("/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2&attributes=userName").await;
    assert_eq!(page.body["totalResults"], 4);
    assert_eq!(page.body["startIndex"], 2);
    assert_eq!(page.body["itemsPerPage"], 2);
    let names: Vec<&str> = page.body["Resources"].as_array().unwrap().iter().map(|r| r["userName"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["carol@example.com", "bob@example.com"]);
    assert!(page.body["Resources"][0].get("displayName").is_none());
    assert!(page.body["Resources"][0].get("id").is_some());
    let zero = scim.get("/Users?count=0").await;
    assert_eq!((zero.body["totalResults"].as_i64(), zero.body["Resources"].clone()), (Some(4), json!([])));

    let search = scim.post("/Users/.search", json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter":"userName eq \"bob@example.com\"","excludedAttributes":["emails","groups"]})).await;
    assert_eq!(search.status, 200);
    assert_eq!(search.body["totalResults"], 1);
    assert!(search.body["Resources"][0].get("groups").is_none());
}

#[tokio::test]
async fn the_rfc_7643_example_user_survives_a_round_trip() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let example = json!({
      "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      "externalId": "701984", "userName": "bjensen@example.com",
      "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
               "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
      "displayName": "Babs Jensen", "nickName": "Babs", "profileUrl": "https://login.example.com/bjensen",
      "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
      "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA",
                     "postalCode": "91608", "country": "USA", "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA", "primary": true}],
      "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
      "ims": [{"value": "someaimhandle", "type": "aim"}],
      "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
      "userType": "Employee", "title": "Tour Guide", "preferredLanguage": "en-US", "locale": "en-US",
      "timezone": "America/Los_Angeles", "active": true, "password": "t1meMa$heen",
      "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "costCenter": "4130",
        "organization": "Universal Studios", "division": "Theme Park", "department": "Tour Operations",
        "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}}
    });
    let created = scim.post("/Users", example.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let got = scim.get(&format!("/Users/{}", created.body["id"].as_str().unwrap())).await.body;
    for key in ["externalId", "userName", "name", "displayName", "nickName", "profileUrl", "addresses", "phoneNumbers", "ims",
                "photos", "userType", "title", "preferredLanguage", "locale", "timezone", "active", "x509Certificates",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] {
        assert_eq!(got[key], example[key], "{key}");
    }
    assert_eq!(got["emails"][1], json!({"value": "babs@jensen.org", "type": "home", "primary": false}));
    assert_eq!(got["schemas"], example["schemas"]);
    assert!(got.get("password").is_none());
}

#[tokio::test]
async fn malformed_bodies_and_unsupported_methods_get_scim_errors() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let raw = scim.http.post(format!("{}/Users", scim.base)).bearer_auth(&scim.token)
        .header("Content-Type", "application/scim+json").body("{not json").send().await.unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    // Only JSON: a page elsewhere cannot post a plain-text or form body that a browser would send
    // with cached credentials.
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let sneaky = scim.http.post(format!("{}/Users", scim.base)).bearer_auth(&scim.token).header("Content-Type", content_type)
            .body(json!({"userName": "sneaky@example.com"}).to_string()).send().await.unwrap();
        assert_eq!(sneaky.status().as_u16(), 415, "{content_type}");
    }
    assert_scim_error(&scim.post("/Users", json!({"not": "a scim resource"})).await, 400, Some("invalidValue"));
    assert_scim_error(&scim.post("/Users", json!({"userName": "has space"})).await, 400, Some("invalidValue"));
    assert_scim_error(&scim.send("DELETE", "/Users", None, &[]).await, 405, None);
    assert_scim_error(&scim.send("POST", "/ServiceProviderConfig", Some(json!({})), &[]).await, 405, None);
    assert_scim_error(&scim.get("/Nope").await, 404, None);
    let id = scim.create_user("p@example.com").await["id"].as_str().unwrap().to_string();
    assert_scim_error(&scim.patch(&format!("/Users/{id}"), json!([{"op":"add","path":"shoeSize","value":1}])).await, 400, Some("invalidPath"));
    assert_scim_error(&scim.send("PATCH", &format!("/Users/{id}"), Some(json!({"Operations":[{"op":"remove","path":"title"}]})), &[]).await, 400, Some("invalidSyntax"));
}

#[tokio::test]
async fn entra_create_with_meta_and_a_bare_extension_urn_then_manager_patches_and_six_replaces() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let created = scim.post("/Users", json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee@contoso.com","active":true,
        "emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@contoso.com"}],"meta":{"resourceType":"User"},
        "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/Users/{id}");
    let r = scim.patch(&path, json!([{"op":"Add","path":"manager","value":[{"$ref":"../Users/boss","value":"boss"}]}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"], "boss");
    let r = scim.patch(&path, json!([
        {"op":"Replace","path":"displayName","value":"D"},
        {"op":"Replace","path":"emails[type eq \"work\"].value","value":"w@contoso.com"},
        {"op":"Replace","path":"name.givenName","value":"G"},
        {"op":"Replace","path":"name.familyName","value":"F"},
        {"op":"Replace","path":"externalId","value":"X"},
        {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"7"}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.body["displayName"].as_str(), r.body["externalId"].as_str()), (Some("D"), Some("X")));
    assert_eq!(r.body["emails"][0]["value"], "w@contoso.com");
    assert_eq!(r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"], "7");
}

#[tokio::test]
async fn okta_test_connection_and_spec_test_first_steps() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let empty = scim.get("/Users?startIndex=1&count=2").await;
    assert_eq!(empty.status, 200);
    assert_eq!((empty.body["totalResults"].as_i64(), empty.body["startIndex"].as_i64(), empty.body["itemsPerPage"].as_i64()), (Some(0), Some(1), Some(0)));
    scim.create_user("first@okta.local").await;
    let one = scim.get("/Users?count=1&startIndex=1").await;
    let user = &one.body["Resources"][0];
    for field in ["id", "userName", "active"] {
        assert!(user.get(field).is_some(), "{field}");
    }
    assert_eq!((user["name"]["familyName"].as_str(), user["name"]["givenName"].as_str()), (Some("User"), Some("Test")));
    assert_eq!(user["emails"][0]["value"], "first@okta.local");
    let groups = scim.get("/Groups?startIndex=1&count=100").await;
    assert_eq!((groups.status, groups.body["totalResults"].as_i64()), (200, Some(0)));
    let guid = scim.get("/Users?filter=userName%20eq%20%22f6c0cbc4-9b5e-4b1f-8a57-6e0c0c0f0a11%22").await;
    assert_eq!(guid.body["totalResults"], 0);
}
