//! Discovery documents (RFC 7644 §4): what this server supports, stated truthfully.

use serde_json::{json, Value};

use super::limits::{MAX_BULK_OPERATIONS, MAX_PAYLOAD_BYTES, MAX_RESULTS};
use super::schema::{ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA};

pub fn list(resources: Vec<Value>) -> Value {
    json!({"schemas": [LIST_SCHEMA], "totalResults": resources.len(), "startIndex": 1,
           "itemsPerPage": resources.len(), "Resources": resources})
}

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://datatracker.ietf.org/doc/html/rfc7644",
        "patch": {"supported": true},
        "bulk": {"supported": true, "maxOperations": MAX_BULK_OPERATIONS, "maxPayloadSize": MAX_PAYLOAD_BYTES},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [
            {"type": "oauthbearertoken", "name": "Bearer token",
             "description": "A token issued in the CIM console or by `cim scim-credential create`.", "primary": true},
            {"type": "httpbasic", "name": "HTTP Basic",
             "description": "A user name and secret issued in the CIM console (Okta's basic-auth setup)."}
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")}
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
               "endpoint": "/Users", "description": "A person who may be granted workspaces", "schema": USER_SCHEMA,
               "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": false}],
               "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}}),
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group",
               "endpoint": "/Groups", "description": "A workspace; its members are the users granted access",
               "schema": GROUP_SCHEMA,
               "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}}),
    ]
}



/// One attribute definition (RFC 7643 §7).
fn attr(name: &str, kind: &str, multi: bool, required: bool, case_exact: bool, mutability: &str, uniqueness: &str) -> Value {
    json!({"name": name, "type": kind, "multiValued": multi, "description": name, "required": required,
           "caseExact": case_exact, "mutability": mutability, "returned": "default", "uniqueness": uniqueness})
}

fn text(name: &str) -> Value {
    attr(name, "string", false, false, false, "readWrite", "none")
}

fn complex(name: &str, multi: bool, subs: Vec<Value>) -> Value {
    let mut a = attr(name, "complex", multi, false, false, "readWrite", "none");
    a["subAttributes"] = Value::Array(subs);
    a
}

fn multi_valued(name: &str) -> Value {
    complex(name, true, vec![text("value"), text("display"), text("type"), attr("primary", "boolean", false, false, false, "readWrite", "none")])
}

pub fn schemas(base: &str) -> Vec<Value> {
    let mut password = attr("password", "string", false, false, false, "writeOnly", "none");
    password["returned"] = json!("never");
    let mut groups = complex("groups", true, vec![text("value"), text("display"), text("$ref"), text("type")]);
    groups["mutability"] = json!("readOnly");
    let user_attrs = vec![
        attr("userName", "string", false, true, false, "readWrite", "server"),
        complex("name", false, vec![text("formatted"), text("familyName"), text("givenName"), text("middleName"), text("honorificPrefix"), text("honorificSuffix")]),
        text("displayName"), text("nickName"), attr("profileUrl", "reference", false, false, false, "readWrite", "none"),
        text("title"), text("userType"), text("preferredLanguage"), text("locale"), text("timezone"),
        attr("active", "boolean", false, false, false, "readWrite", "none"),
        password,
        multi_valued("emails"), multi_valued("phoneNumbers"), multi_valued("ims"), multi_valued("photos"),
        complex("addresses", true, vec![text("formatted"), text("streetAddress"), text("locality"), text("region"), text("postalCode"), text("country"), text("type")]),
        groups,
        complex("entitlements", true, vec![text("value"), text("display"), text("type")]),
        multi_valued("roles"), multi_valued("x509Certificates"),
        attr("externalId", "string", false, false, true, "readWrite", "none"),
    ];
    let enterprise_attrs = vec![
        text("employeeNumber"), text("costCenter"), text("organization"), text("division"), text("department"),
        complex("manager", false, vec![text("value"), text("$ref"), text("displayName")]),
    ];
    // Returned only when `attributes` asks for them: see `wants_members` in the Groups handler.
    let mut members = complex("members", true, vec![text("value"), text("$ref"), text("display"), text("type")]);
    members["returned"] = json!("request");
    let group_attrs = vec![
        attr("displayName", "string", false, true, false, "readWrite", "server"),
        members,
        attr("externalId", "string", false, false, true, "readWrite", "none"),
    ];
    let schema = |id: &str, name: &str, description: &str, attributes: Vec<Value>| {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": id, "name": name, "description": description,
               "attributes": attributes, "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}})
    };
    vec![
        schema(USER_SCHEMA, "User", "User Account", user_attrs),
        schema(ENTERPRISE_SCHEMA, "EnterpriseUser", "Enterprise User", enterprise_attrs),
        schema(GROUP_SCHEMA, "Group", "Group (a workspace)", group_attrs),
    ]
}
