use crate::helpers::spawn_app;

#[tokio::test]
async fn discovery_tells_what_is_supported() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let spc = scim.get("/ServiceProviderConfig").await;
    assert_eq!(spc.status, 200);
    assert!(spc.headers["content-type"].to_str().unwrap().starts_with("application/scim+json"));
    assert_eq!(spc.body["patch"]["supported"], true);
    assert_eq!(spc.body["bulk"]["maxOperations"], 1000);
    assert_eq!(spc.body["filter"]["maxResults"], 1000);
    assert_eq!(spc.body["changePassword"]["supported"], false);
    assert_eq!(spc.body["etag"]["supported"], true);

    let types = scim.get("/ResourceTypes").await;
    let names: Vec<&str> = types.body["Resources"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["User", "Group"]);
    assert_eq!(scim.get("/ResourceTypes/Group").await.body["endpoint"], "/Groups");

    let schemas = scim.get("/Schemas").await;
    assert_eq!(schemas.body["totalResults"], 3);
    let user = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").await;
    assert_eq!(user.status, 200);
    let user_name = user.body["attributes"].as_array().unwrap().iter().find(|a| a["name"] == "userName").unwrap();
    assert_eq!((user_name["uniqueness"].as_str(), user_name["caseExact"].as_bool()), (Some("server"), Some(false)));
    crate::helpers::assert_scim_error(&scim.get("/Schemas/urn:nope").await, 404, None);
}

#[tokio::test]
async fn discovery_documents_name_the_base_each_request_came_by() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    for proto in ["https", "http", "https"] {
        let spc = scim.send("GET", "/ServiceProviderConfig", None, &[("X-Forwarded-Proto", proto)]).await;
        let location = spc.body["meta"]["location"].as_str().unwrap();
        assert!(location.starts_with(&format!("{proto}://")) && location.ends_with("/scim/v2/ServiceProviderConfig"), "{location}");
        let types = scim.send("GET", "/ResourceTypes", None, &[("X-Forwarded-Proto", proto)]).await;
        let location = types.body["Resources"][0]["meta"]["location"].as_str().unwrap();
        assert!(location.starts_with(&format!("{proto}://")), "{location}");
        let schemas = scim.send("GET", "/Schemas", None, &[("X-Forwarded-Proto", proto)]).await;
        assert!(schemas.body["Resources"][0]["meta"]["location"].as_str().unwrap().starts_with(&format!("{proto}://")));
    }
}
