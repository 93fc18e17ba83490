//! Typed identifiers. Each is a database row id wrapped in its own type, so that a unit id can
//! never be used where a task id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }
    };
}

id_type!(
    /// A task in a ledger.
    TaskId
);
id_type!(
    /// A unit (单位): department, township, park, court, outside body …
    UnitId
);
id_type!(
    /// A named group of units (旗直有关部门, 各苏木乡镇场、街道 …).
    GroupId
);
id_type!(
    /// A person with an account.
    PersonId
);
id_type!(
    /// A ledger (台账): the tasks of one document or meeting.
    LedgerId
);
id_type!(
    /// One entry of a task's history.
    EventId
);
id_type!(
    /// A key enterprise (重点企业) in the enterprise list.
    EnterpriseId
);
id_type!(
    /// A key project (重点项目) in the project list.
    ProjectId
);
