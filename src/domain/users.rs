use serde::{Deserialize, Serialize};

use super::paging::Total;
use super::text::{check_multiline_text, check_text, clean_field, required_field};
use super::Invalid;

/// A user as the console's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: String,
    pub user_name: String,
    pub display_name: String,
    pub email: String,
    pub active: bool,
    pub workspace_count: i64,
    pub last_modified: i64,
}

/// The orders the users list offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserSort {
    #[default]
    UserName,
    Name,
    Status,
    LastChange,
}

impl UserSort {
    pub const ALL: [UserSort; 4] = [UserSort::UserName, UserSort::Name, UserSort::Status, UserSort::LastChange];

    pub fn parse(text: &str) -> Self {
        UserSort::ALL.into_iter().find(|s| s.as_str() == text).unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::UserName => "user_name",
            UserSort::Name => "name",
            UserSort::Status => "status",
            UserSort::LastChange => "changed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserSort::UserName => "User name",
            UserSort::Name => "Name",
            UserSort::Status => "Status",
            UserSort::LastChange => "Last change",
        }
    }
}

/// The users list as asked for: search words, status, one workspace, and the order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserListQuery {
    pub q: String,
    pub status: StatusFilter,
    /// Only users granted this workspace (by id): "who can enter Finance FY27?".
    pub workspace: Option<String>,
    pub sort: UserSort,
    pub descending: bool,
}

/// One page of the users list and where it sits among all that match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserListPage {
    pub rows: Vec<UserSummary>,
    pub next: Option<String>,
    pub prev: Option<String>,
    /// Every user that matches, on all pages.
    pub total: Total,
    /// The position (from 1) of the first row among all matches.
    pub first: i64,
}

/// A user's whole profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    /// The primary (or first) of `emails`: what the console shows, edits and searches.
    pub email: String,
    pub active: bool,
    pub created: i64,
    pub last_modified: i64,
    pub version: i64,
    /// Every address, as SCIM sees them.
    #[serde(default)]
    pub emails: Vec<Email>,
    /// SCIM attributes with no column of their own (nickName, title, phoneNumbers, the
    /// enterprise extension ...), kept as sent.
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The SCIM credential (identity provider) that provisions this user, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
}

/// One e-mail address of a user (RFC 7643 §4.1.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Email {
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub primary: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl User {
    /// A new active user with nothing filled in yet, at version 1.
    pub fn blank(id: String, now: i64) -> Self {
        User {
            id,
            user_name: String::new(),
            external_id: None,
            given_name: String::new(),
            family_name: String::new(),
            display_name: String::new(),
            email: String::new(),
            active: true,
            created: now,
            last_modified: now,
            version: 1,
            emails: Vec::new(),
            extra: Default::default(),
            managed_by: None,
        }
    }

    /// The address the console shows: the primary one, else the first.
    pub fn primary_email(emails: &[Email]) -> String {
        emails.iter().find(|e| e.primary).or_else(|| emails.first()).map(|e| e.value.clone()).unwrap_or_default()
    }

    /// Takes the names and ids of a validated profile; hands back its address, which the two
    /// kinds of profile update store differently (one address, or the whole list).
    pub fn set_names(&mut self, profile: UserProfile) -> String {
        self.user_name = profile.user_name;
        self.external_id = profile.external_id;
        self.given_name = profile.given_name;
        self.family_name = profile.family_name;
        self.display_name = profile.display_name;
        profile.email
    }

    /// Sets the console's single address: it replaces the primary (or first) address, is added
    /// as the primary work address when there is none, and removes it when blank.
    pub fn set_email(&mut self, email: String) {
        let slot = self.emails.iter().position(|e| e.primary).or(if self.emails.is_empty() { None } else { Some(0) });
        match (slot, email.is_empty()) {
            (Some(i), false) => self.emails[i].value = email.clone(),
            (Some(i), true) => {
                self.emails.remove(i);
            }
            (None, false) => self.emails.push(Email { value: email.clone(), kind: Some("work".into()), primary: true, display: None }),
            (None, true) => {}
        }
        self.email = User::primary_email(&self.emails);
    }
}

/// Where entitlements that grant no workspace (an app role an identity provider maps, say) are
/// kept, as sent, among a user's other attributes.
pub const OTHER_ENTITLEMENTS: &str = "entitlements";

/// An entitlement that is not a workspace, as the user page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtherEntitlement {
    pub kind: String,
    pub value: String,
    pub display: String,
    pub primary: bool,
}

impl User {
    /// The entitlements kept as sent that grant no workspace.
    pub fn other_entitlements(&self) -> Vec<OtherEntitlement> {
        let text = |e: &serde_json::Value, k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        self.extra
            .get(OTHER_ENTITLEMENTS)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .map(|e| OtherEntitlement {
                kind: text(e, "type"),
                value: text(e, "value"),
                display: text(e, "display"),
                primary: e.get("primary").and_then(|v| v.as_bool()).unwrap_or(false),
            })
            .collect()
    }
}

/// How many workspace checkboxes the user page shows at once; its filter box narrows the rest.
pub const WORKSPACES_SHOWN: usize = 200;

/// Whether a user may enter one workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceAccess {
    pub workspace_id: String,
    pub workspace_name: String,
    pub granted: bool,
}

/// Everything the user page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserPageData {
    pub user: User,
    /// Workspaces matching the page's filter, each with its checkbox state.
    pub workspaces: Vec<WorkspaceAccess>,
    pub total_workspaces: i64,
    pub granted_count: i64,
    /// What the identity provider that provisions this user owns of it.
    pub managed: Option<super::credentials::Management>,
}

/// Which users a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusFilter {
    #[default]
    All,
    Active,
    Inactive,
}

impl StatusFilter {
    pub fn parse(text: &str) -> Self {
        match text {
            "active" => StatusFilter::Active,
            "inactive" => StatusFilter::Inactive,
            _ => StatusFilter::All,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Active => "active",
            StatusFilter::Inactive => "inactive",
        }
    }

    pub fn wanted(self) -> Option<bool> {
        match self {
            StatusFilter::All => None,
            StatusFilter::Active => Some(true),
            StatusFilter::Inactive => Some(false),
        }
    }
}

/// A profile as typed into a form, before validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserInput {
    pub user_name: String,
    pub external_id: String,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub email: String,
}

/// A profile that passed validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserProfile {
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub email: String,
}

const NAME_MAX: usize = 256;

impl UserInput {
    pub fn validate(&self) -> Result<UserProfile, Invalid> {
        let user_name = required_field("user_name", "User name", &self.user_name, NAME_MAX)?;
        if user_name.chars().any(char::is_whitespace) {
            return Err(Invalid::new("user_name", "User name must not contain spaces."));
        }
        let external_id = clean_field("external_id", "External id", &self.external_id, NAME_MAX)?;
        let given_name = clean_field("given_name", "Given name", &self.given_name, NAME_MAX)?;
        let family_name = clean_field("family_name", "Family name", &self.family_name, NAME_MAX)?;
        let mut display_name = clean_field("display_name", "Display name", &self.display_name, NAME_MAX)?;
        let email = clean_field("email", "Email", &self.email, NAME_MAX)?;
        if !email.is_empty() && !looks_like_email(&email) {
            return Err(Invalid::new("email", "Email must look like name@example.com."));
        }
        if display_name.is_empty() {
            display_name = format!("{given_name} {family_name}").trim().to_string();
        }
        Ok(UserProfile {
            user_name,
            external_id: (!external_id.is_empty()).then_some(external_id),
            given_name,
            family_name,
            display_name,
            email,
        })
    }
}

/// Bounds on what a user may carry beyond its columns, so one request cannot store megabytes or
/// nest without end.
pub const MAX_EMAILS: usize = 20;
pub const MAX_EXTRA_BYTES: usize = 16 * 1024;
const MAX_EXTRA_TEXT: usize = 2048;
const MAX_EXTRA_ITEMS: usize = 50;
const MAX_EXTRA_DEPTH: usize = 4;

/// Checks the e-mail list and the attributes without a column of their own (SCIM extension and
/// optional attributes): sizes, nesting, and the same text rules as every other field.
pub fn check_addresses_and_extra(emails: &[Email], extra: &serde_json::Map<String, serde_json::Value>) -> Result<(), Invalid> {
    if emails.len() > MAX_EMAILS {
        return Err(Invalid::new("emails", format!("A user may have at most {MAX_EMAILS} e-mail addresses.")));
    }
    for email in emails {
        for text in [Some(&email.value), email.kind.as_ref(), email.display.as_ref()].into_iter().flatten() {
            check_text("emails", "An e-mail entry", text, NAME_MAX)?;
        }
    }
    let size = serde_json::to_string(extra).map(|t| t.len()).unwrap_or(usize::MAX);
    if size > MAX_EXTRA_BYTES {
        return Err(Invalid::new("attributes", format!("Other attributes must total at most {} KiB.", MAX_EXTRA_BYTES / 1024)));
    }
    for (key, value) in extra {
        check_value(key, value, 1)?;
    }
    Ok(())
}

fn check_value(key: &str, value: &serde_json::Value, depth: usize) -> Result<(), Invalid> {
    use serde_json::Value;
    if depth > MAX_EXTRA_DEPTH {
        return Err(Invalid::new(key, format!("{key} nests deeper than {MAX_EXTRA_DEPTH} levels.")));
    }
    match value {
        Value::String(text) => check_multiline_text(key, key, text, MAX_EXTRA_TEXT),
        Value::Array(items) if items.len() > MAX_EXTRA_ITEMS => {
            Err(Invalid::new(key, format!("{key} may hold at most {MAX_EXTRA_ITEMS} values.")))
        }
        Value::Array(items) => items.iter().try_for_each(|v| check_value(key, v, depth + 1)),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            check_text(key, key, k, 128)?;
            check_value(key, v, depth + 1)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(user_name: &str, email: &str) -> UserInput {
        UserInput { user_name: user_name.into(), email: email.into(), given_name: "Ada".into(), family_name: "King".into(), ..Default::default() }
    }

    #[test]
    fn a_missing_user_name_is_reported_on_its_field() {
        let err = input("  ", "").validate().unwrap_err();
        assert_eq!(err.field, "user_name");
    }

    #[test]
    fn user_names_with_spaces_are_refused() {
        assert_eq!(input("ada king", "").validate().unwrap_err().field, "user_name");
    }

    #[test]
    fn malformed_emails_are_refused_and_blank_ones_allowed() {
        assert_eq!(input("ada", "not-an-email").validate().unwrap_err().field, "email");
        assert!(input("ada", "").validate().is_ok());
        assert!(input("ada", "ada@example.com").validate().is_ok());
    }

    #[test]
    fn the_console_address_edits_the_primary_email_and_keeps_the_others() {
        let mut user = User::blank("u".into(), 0);
        user.set_email("a@example.com".into());
        assert_eq!(user.emails.len(), 1);
        assert!(user.emails[0].primary);
        user.emails.push(Email { value: "home@example.com".into(), kind: Some("home".into()), primary: false, display: None });
        user.set_email("b@example.com".into());
        assert_eq!(user.email, "b@example.com");
        assert_eq!(user.emails[1].value, "home@example.com");
        user.set_email(String::new());
        assert_eq!(user.email, "home@example.com");
    }

    #[test]
    fn display_name_defaults_to_given_and_family_name() {
        let profile = input("ada", "").validate().unwrap();
        assert_eq!(profile.display_name, "Ada King");
        assert_eq!(profile.external_id, None);
    }
}
