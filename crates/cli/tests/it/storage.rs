//! The database as the server leaves it.

use phongtrao_storage::campaigns;
use phongtrao_web::prepare::prepare;

use crate::support::fresh_db;

#[tokio::test]
async fn loading_the_plan_and_units_twice_changes_nothing() {
    let (db, _dir) = fresh_db().await;
    let first = prepare(&db).await.expect("first");
    assert!(first.admin_password.is_some(), "first start creates the admin");
    let counts = campaigns::table_counts(&db).await.expect("counts");
    let second = prepare(&db).await.expect("second");
    assert!(second.admin_password.is_none(), "no second admin, no second password");
    assert_eq!(second.seed.units_inserted, 0);
    assert_eq!(campaigns::table_counts(&db).await.expect("counts"), counts);
    let get = |name: &str| counts.iter().find(|(t, _)| t == name).map(|(_, n)| *n);
    assert_eq!(get("campaigns"), Some(1));
    assert_eq!(get("targets"), Some(18));
    assert_eq!(get("indicators"), Some(26));
    assert_eq!(get("periods"), Some(5));
    assert_eq!(get("events"), Some(10));
    assert_eq!(get("units"), Some(160));
    assert_eq!(get("unit_base_figures"), Some(0), "no base figure is invented");
    assert_eq!(get("users"), Some(1));
}

#[tokio::test]
async fn the_first_admin_password_is_stored_only_as_an_argon2id_hash() {
    let (db, _dir) = fresh_db().await;
    let prepared = prepare(&db).await.expect("prepare");
    let password = prepared.admin_password.expect("password shown once");
    let admin = phongtrao_storage::users::by_username(&db, "admin").await.expect("query").expect("admin");
    assert!(admin.password_hash.starts_with("$argon2id$"));
    assert!(!admin.password_hash.contains(&password));
    assert!(phongtrao_web::password::verify(&password, &admin.password_hash));
    assert!(admin.must_change_password);
}
