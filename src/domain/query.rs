//! Conditions on users and groups, independent of SQL: the SCIM door builds them from a filter,
//! the store compiles them to SQL with bound parameters.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Field {
    UserId,
    UserName,
    ExternalId,
    DisplayName,
    GivenName,
    FamilyName,
    Active,
    Created,
    LastModified,
    /// A value inside the user's `extra` attributes, by key path.
    Extra(Vec<String>),
    EmailValue,
    EmailType,
    EmailPrimary,
    EmailDisplay,
    WorkspaceId,
    WorkspaceName,
    /// The type of a workspace entitlement: always WORKSPACE.
    WorkspaceKind,
    /// Whether a workspace entitlement is primary: never.
    WorkspacePrimary,
    GroupId,
    GroupName,
    GroupExternalId,
    GroupCreated,
    GroupLastModified,
    MemberId,
    MemberUserName,
}

/// How a field compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text; `folded` when it compares case-insensitively.
    Text { folded: bool },
    Bool,
    /// Milliseconds since the epoch, compared with RFC 3339 date-times.
    Time,
}

impl Field {
    pub fn kind(&self) -> FieldKind {
        match self {
            Field::UserId | Field::ExternalId | Field::WorkspaceId | Field::GroupId | Field::GroupExternalId | Field::MemberId => {
                FieldKind::Text { folded: false }
            }
            Field::Active | Field::EmailPrimary | Field::WorkspacePrimary => FieldKind::Bool,
            Field::Created | Field::LastModified | Field::GroupCreated | Field::GroupLastModified => FieldKind::Time,
            _ => FieldKind::Text { folded: true },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
}

/// A multi-valued attribute a condition can look inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Collection {
    Emails,
    Workspaces,
    /// The user's workspaces seen as entitlements (type WORKSPACE, never primary): the same
    /// rows as `Workspaces`, with the sub-attributes an entitlement has.
    WorkspaceEntitlements,
    /// Entitlements that are not workspaces (kept as sent); their elements are read with the
    /// same JSON-element fields as e-mail addresses (value, type, display, primary).
    Entitlements,
    Members,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Condition {
    Compare(Field, Op, Literal),
    Present(Field),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    /// Some element of the collection meets the inner condition.
    Within(Collection, Box<Condition>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub field: Field,
    pub descending: bool,
}

/// One page of a filtered, sorted list: `offset` rows skipped, at most `limit` returned.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub condition: Option<Condition>,
    pub sort: Option<Sort>,
    pub offset: usize,
    pub limit: usize,
}
