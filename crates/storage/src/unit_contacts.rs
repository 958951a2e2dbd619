//! Each unit's contact (secretary, phone, e-mail, a free note): who the office calls
//! when the unit's report is missing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::Who;
use crate::{in_transaction, with_pool, Db, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct Contact {
    pub secretary: String,
    pub phone: String,
    pub email: String,
    pub note: String,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.secretary.is_empty() && self.phone.is_empty() && self.email.is_empty() && self.note.is_empty()
    }

    /// The phone number as a `tel:` link target (digits and a leading +).
    pub fn tel_href(&self) -> String {
        let digits: String = self
            .phone
            .chars()
            .enumerate()
            .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
            .map(|(_, c)| c)
            .collect();
        format!("tel:{digits}")
    }
}

pub async fn get(db: &Db, unit_id: i64) -> Result<Contact> {
    let sql = "SELECT secretary, phone, email, note FROM unit_contacts WHERE unit_id = $1";
    let row: Option<Contact> = with_pool!(db, pool => sqlx::query_as(sql).bind(unit_id).fetch_optional(pool).await)?;
    Ok(row.unwrap_or_default())
}

/// The contacts of several units (units without one are left out).
pub async fn for_units(db: &Db, unit_ids: &[i64]) -> Result<std::collections::HashMap<i64, Contact>> {
    if unit_ids.is_empty() {
        return Ok(Default::default());
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        unit_id: i64,
        #[sqlx(flatten)]
        contact: Contact,
    }
    let sql = format!(
        "SELECT unit_id, secretary, phone, email, note FROM unit_contacts WHERE unit_id IN ({})",
        crate::id_list(unit_ids)
    );
    let rows: Vec<Row> = with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|r| (r.unit_id, r.contact)).collect())
}

/// Sets a unit's contact (checked by the caller), with the values before and after in
/// the audit log.
pub async fn set(db: &Db, unit_id: i64, contact: &Contact, who: &Who, now: DateTime<Utc>) -> Result<()> {
    let before = get(db, unit_id).await?;
    in_transaction!(db, tx => {
        sqlx::query(
            "INSERT INTO unit_contacts (unit_id, secretary, phone, email, note, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (unit_id) DO UPDATE SET secretary = $2, phone = $3, email = $4, note = $5, updated_at = $6, updated_by = $7",
        )
        .bind(unit_id)
        .bind(&contact.secretary)
        .bind(&contact.phone)
        .bind(&contact.email)
        .bind(&contact.note)
        .bind(now)
        .bind(&who.name)
        .execute(&mut **tx)
        .await?;
        let entry = who.entry("unit.contact", "unit", Some(unit_id.to_string())).unit(Some(unit_id)).before(&before).after(contact);
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}
