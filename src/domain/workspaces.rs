use serde::{Deserialize, Serialize};

use super::text::{clean_field, required_field};
use super::Invalid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    /// The identity provider's id for the group this workspace is, if one set it.
    #[serde(default)]
    pub external_id: Option<String>,
    pub description: String,
    pub member_count: i64,
    pub created: i64,
    pub last_modified: i64,
    pub version: i64,
}

impl Workspace {
    /// A new workspace without members, at version 1.
    pub fn new(id: String, input: WorkspaceInput, external_id: Option<String>, now: i64) -> Self {
        Workspace {
            id,
            name: input.name,
            external_id,
            description: input.description,
            member_count: 0,
            created: now,
            last_modified: now,
            version: 1,
        }
    }
}

/// A workspace as a reference from a user: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceLink {
    pub id: String,
    pub name: String,
}

/// A workspace name and description that passed validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceInput {
    pub name: String,
    pub description: String,
}

impl WorkspaceInput {
    pub fn parse(name: &str, description: &str) -> Result<Self, Invalid> {
        Ok(WorkspaceInput {
            name: required_field("name", "Workspace name", name, 200)?,
            description: clean_field("description", "Description", description, 2000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_names_are_required_and_trimmed() {
        assert_eq!(WorkspaceInput::parse("   ", "").unwrap_err().field, "name");
        assert_eq!(WorkspaceInput::parse(" Finance ", "").unwrap().name, "Finance");
    }
}
