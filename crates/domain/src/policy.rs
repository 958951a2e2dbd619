//! Who may do what: the one place where roles and units decide. Every handler asks
//! here, the JSON API included.

use crate::role::Role;

/// The person acting, with the units they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// Units assigned to the user (a reporter's unit, a steering member's units).
    pub unit_ids: Vec<i64>,
}

/// Things that need permission. Reads of public data (the plan, the unit tree's
/// names) need none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read a unit's non-public data (drafts, reports, base figures detail).
    ReadUnit,
    /// Write a unit's own data: its reports, its plan, its base figures.
    WriteUnit,
    /// Return a submitted report with a comment, accept it.
    ReviewUnit,
    /// Create, rename, move, deactivate units; import units.
    AdministerUnits,
    /// Create users, reset passwords, assign units.
    AdministerUsers,
    /// Read the audit log of a unit (admin: all of it).
    ReadAudit,
    /// Read every unit's data, across the whole tree.
    ReadEverything,
    /// Change the campaign: plan, periods, allocation. About a unit: the campaign
    /// rooted at that unit (a unit's own plan); about none: any campaign.
    AdministerCampaign,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReadUnit => "read_unit",
            Action::WriteUnit => "write_unit",
            Action::ReviewUnit => "review_unit",
            Action::AdministerUnits => "administer_units",
            Action::AdministerUsers => "administer_users",
            Action::ReadAudit => "read_audit",
            Action::ReadEverything => "read_everything",
            Action::AdministerCampaign => "administer_campaign",
        }
    }
}

/// Decides whether `actor` may do `action` on the unit whose ancestry is given
/// (the unit itself first, then its parent, up to the root; empty when the action
/// concerns no unit).
pub fn allows(actor: &Actor, action: Action, target_ancestry: &[i64]) -> bool {
    let within_own_subtree = target_ancestry.iter().any(|id| actor.unit_ids.contains(id));
    let strictly_below = target_ancestry.iter().skip(1).any(|id| actor.unit_ids.contains(id));
    match actor.role {
        Role::Admin => true,
        Role::Steering => match action {
            Action::ReadUnit | Action::ReadEverything | Action::ReviewUnit => true,
            Action::ReadAudit => within_own_subtree,
            _ => false,
        },
        Role::UnitOffice => match action {
            Action::ReadUnit | Action::WriteUnit | Action::ReadAudit | Action::AdministerCampaign => within_own_subtree,
            // Its units' reports, never its own report up (its parent reviews that);
            // the accounts of its units, never its own level's (the office above gives those).
            Action::ReviewUnit | Action::AdministerUsers => strictly_below,
            _ => false,
        },
        Role::Unit => match action {
            Action::ReadUnit | Action::WriteUnit | Action::ReadAudit => within_own_subtree,
            _ => false,
        },
        Role::Viewer => match action {
            Action::ReadUnit => within_own_subtree,
            _ => false,
        },
    }
}

/// The roles `actor` may give an account: the office any; a unit's office the
/// roles of its units' people (reporter, viewer, a lower level's office), never an
/// administrator or a steering member, whose reach is the whole tree.
pub fn may_grant(actor: &Actor, role: Role) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::UnitOffice => matches!(role, Role::Unit | Role::Viewer | Role::UnitOffice),
        _ => false,
    }
}

/// Whether `actor` manages an account with `role` over units of these ancestries
/// (each the unit first, up to the root): creating it, changing its role and units,
/// giving it a new password. A unit's office manages the accounts whose every unit is
/// strictly below one of its own, and only with a role it may grant.
pub fn manages_account(actor: &Actor, role: Role, unit_ancestries: &[Vec<i64>]) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::UnitOffice => {
            may_grant(actor, role)
                && !unit_ancestries.is_empty()
                && unit_ancestries.iter().all(|a| allows(actor, Action::AdministerUsers, a))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, units: &[i64]) -> Actor {
        Actor { user_id: 1, username: "u".into(), role, unit_ids: units.to_vec() }
    }

    // Tree: 1 province › 2 district A › 4 commune of A; 3 district B.
    const COMMUNE_OF_A: &[i64] = &[4, 2, 1];
    const DISTRICT_B: &[i64] = &[3, 1];

    #[test]
    fn a_district_reporter_writes_its_subtree_and_nothing_else() {
        let a = actor(Role::Unit, &[2]);
        assert!(allows(&a, Action::WriteUnit, &[2, 1]));
        assert!(allows(&a, Action::WriteUnit, COMMUNE_OF_A));
        assert!(allows(&a, Action::ReadUnit, COMMUNE_OF_A));
        assert!(!allows(&a, Action::ReadUnit, DISTRICT_B));
        assert!(!allows(&a, Action::WriteUnit, DISTRICT_B));
        assert!(!allows(&a, Action::WriteUnit, &[1]), "not its parent");
        assert!(!allows(&a, Action::AdministerUnits, &[]));
        assert!(!allows(&a, Action::ReviewUnit, &[2, 1]));
    }

    #[test]
    fn steering_reads_everything_and_reviews_but_never_writes() {
        let s = actor(Role::Steering, &[3]);
        assert!(allows(&s, Action::ReadUnit, COMMUNE_OF_A));
        assert!(allows(&s, Action::ReviewUnit, COMMUNE_OF_A));
        assert!(!allows(&s, Action::WriteUnit, DISTRICT_B));
        assert!(!allows(&s, Action::AdministerUsers, &[]));
    }

    #[test]
    fn viewers_only_read_what_they_are_given() {
        let v = actor(Role::Viewer, &[2]);
        assert!(allows(&v, Action::ReadUnit, COMMUNE_OF_A));
        assert!(!allows(&v, Action::ReadUnit, DISTRICT_B));
        assert!(!allows(&v, Action::WriteUnit, COMMUNE_OF_A));
    }

    #[test]
    fn a_district_office_runs_its_own_plan_and_subtree_never_the_provinces_nor_another_districts() {
        let o = actor(Role::UnitOffice, &[2]);
        assert!(allows(&o, Action::AdministerCampaign, &[2, 1]), "its own plan (rooted at the district)");
        assert!(!allows(&o, Action::AdministerCampaign, &[1]), "not the province's plan");
        assert!(!allows(&o, Action::AdministerCampaign, &[]), "not any campaign");
        assert!(!allows(&o, Action::AdministerCampaign, DISTRICT_B), "not another district's plan");
        assert!(allows(&o, Action::ReviewUnit, COMMUNE_OF_A));
        assert!(!allows(&o, Action::ReviewUnit, &[2, 1]), "never its own report up");
        assert!(allows(&o, Action::WriteUnit, &[2, 1]), "its own report up");
        assert!(!allows(&o, Action::ReadUnit, DISTRICT_B));
        assert!(!allows(&o, Action::ReadEverything, &[]));
        assert!(!allows(&o, Action::AdministerUsers, &[]));
        assert!(!allows(&o, Action::AdministerUnits, &[]));
    }

    #[test]
    fn a_district_office_manages_its_communes_accounts_and_no_one_elses() {
        let o = actor(Role::UnitOffice, &[2]);
        let commune = vec![COMMUNE_OF_A.to_vec()];
        assert!(manages_account(&o, Role::Unit, &commune), "a reporter of its commune");
        assert!(manages_account(&o, Role::Viewer, &commune));
        assert!(manages_account(&o, Role::UnitOffice, &commune), "the commune's own office");
        assert!(!manages_account(&o, Role::Admin, &commune), "never an administrator");
        assert!(!manages_account(&o, Role::Steering, &commune), "never the steering committee");
        assert!(!manages_account(&o, Role::Unit, &[vec![2, 1]]), "not its own level's accounts");
        assert!(!manages_account(&o, Role::Unit, &[DISTRICT_B.to_vec()]), "not another district's");
        assert!(
            !manages_account(&o, Role::Unit, &[COMMUNE_OF_A.to_vec(), DISTRICT_B.to_vec()]),
            "every unit must be its"
        );
        assert!(!manages_account(&o, Role::Unit, &[]), "an account with no unit is the office's");
        let reporter = actor(Role::Unit, &[2]);
        assert!(!manages_account(&reporter, Role::Unit, &commune), "a reporter manages no account");
        assert!(manages_account(&actor(Role::Admin, &[]), Role::Admin, &[]));
    }

    #[test]
    fn admins_may_do_everything() {
        let a = actor(Role::Admin, &[]);
        for action in [Action::WriteUnit, Action::AdministerUnits, Action::AdministerUsers, Action::ReadAudit] {
            assert!(allows(&a, action, DISTRICT_B));
        }
    }
}
