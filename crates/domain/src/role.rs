//! Roles of users (see GLOSSARY: campaign office = admin, Ban Chỉ đạo = steering).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Ban Phong trào: the campaign office; may change everything.
    Admin,
    /// Member of the steering committee, with assigned units; reads everything.
    Steering,
    /// Reporter of one or more units.
    Unit,
    /// The office of a unit (Văn phòng Huyện đoàn …): the office's rights on its
    /// units' subtree — its own plan inside a campaign, its units' reports and
    /// reviews — and nothing above or beside it (issue #21).
    UnitOffice,
    /// Reads what it is given.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Steering, Role::UnitOffice, Role::Unit, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Steering => "steering",
            Role::Unit => "unit",
            Role::UnitOffice => "unit_office",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether an account with this role reaches anything only through its units: a
    /// unit's reporter, a unit's office and a viewer read (and write) their units'
    /// subtree and nothing else, so without a unit every page would refuse them.
    pub fn needs_units(self) -> bool {
        matches!(self, Role::Unit | Role::UnitOffice | Role::Viewer)
    }

    /// What to say when such an account is given no unit (Vietnamese / English).
    pub fn no_unit_message(self) -> String {
        format!(
            "Vai trò «{}» cần ít nhất một đơn vị: tài khoản chỉ xem và làm việc trong các đơn vị được giao. / \
             The role «{}» needs at least one unit: the account sees and works only in the units it is given.",
            self.label_vi(),
            self.as_str()
        )
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Admin => "Ban Phong trào (quản trị)",
            Role::Steering => "Thành viên Ban Chỉ đạo",
            Role::Unit => "Cán bộ báo cáo của đơn vị",
            Role::UnitOffice => "Văn phòng đơn vị (kế hoạch và báo cáo của đơn vị)",
            Role::Viewer => "Người xem",
        }
    }
}
