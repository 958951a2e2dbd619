//! The domain's enums in TEXT columns (a report's status, kind and timeliness, a
//! user's role, an event's status and a unit event's kind), bound and read through `sqlx::Type` on both
//! backends instead of `as_str()` / `parse` by hand at every query.
//!
//! The domain crate has no sqlx dependency, so the impls live here on a wrapper,
//! `Text<T>`: `.bind(Text(status))` writes the enum's text, and reading a column as
//! `Text<Status>` (or a row field declared `#[sqlx(try_from = "Text<Status>")]`)
//! turns it back. A stored value that is no known variant is a decode error naming
//! the column's kind and the value (a storage error, "internal"), never a panic and
//! never a silent default.

use phongtrao_domain::event_record::{EventStatus, UnitEventKind};
use phongtrao_domain::period::Timeliness;
use phongtrao_domain::report::{ReportKind, Status};
use phongtrao_domain::role::Role;
use phongtrao_domain::unit::{BaseFigure, UnitKind};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

/// A domain enum kept as its text in a TEXT column.
pub trait TextColumn: Sized + Copy {
    /// What the column holds, for the error of an unknown value ("report status").
    const WHAT: &'static str;
    fn to_text(self) -> &'static str;
    fn from_text(text: &str) -> Option<Self>;
}

/// A domain enum as a TEXT column value (see the module's comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text<T>(pub T);

/// A stored value that is no known variant of its enum.
#[derive(Debug, thiserror::Error)]
#[error("giá trị lạ trong cơ sở dữ liệu / unknown {what} in the database: {value:?}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

impl<T: TextColumn> Text<T> {
    fn decode_text(text: &str) -> Result<Self, BoxDynError> {
        T::from_text(text).map(Text).ok_or_else(|| Box::new(UnknownValue { what: T::WHAT, value: text.into() }) as _)
    }
}

impl<T: TextColumn> Type<Sqlite> for Text<T> {
    fn type_info() -> SqliteTypeInfo {
        <&str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <&str as Type<Sqlite>>::compatible(ty)
    }
}

impl<T: TextColumn> Type<Postgres> for Text<T> {
    fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }
}

impl<'q, T: TextColumn> Encode<'q, Sqlite> for Text<T> {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <&str as Encode<'q, Sqlite>>::encode(self.0.to_text(), buf)
    }
}

impl<T: TextColumn> Encode<'_, Postgres> for Text<T> {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<'_, Postgres>>::encode(self.0.to_text(), buf)
    }
}

impl<'r, T: TextColumn> Decode<'r, Sqlite> for Text<T> {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Self::decode_text(<&str as Decode<'r, Sqlite>>::decode(value)?)
    }
}

impl<'r, T: TextColumn> Decode<'r, Postgres> for Text<T> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Self::decode_text(<&str as Decode<'r, Postgres>>::decode(value)?)
    }
}

/// A nullable TEXT column of a domain enum (NULL: None), for row fields declared
/// `#[sqlx(try_from = "NullableText<Timeliness>")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NullableText<T>(pub Option<T>);

impl<T: TextColumn> Type<Sqlite> for NullableText<T> {
    fn type_info() -> SqliteTypeInfo {
        <&str as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <&str as Type<Sqlite>>::compatible(ty)
    }
}

impl<T: TextColumn> Type<Postgres> for NullableText<T> {
    fn type_info() -> PgTypeInfo {
        <&str as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as Type<Postgres>>::compatible(ty)
    }
}

impl<'r, T: TextColumn> Decode<'r, Sqlite> for NullableText<T> {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        if sqlx::ValueRef::is_null(&value) {
            return Ok(NullableText(None));
        }
        Ok(NullableText(Some(<Text<T> as Decode<'r, Sqlite>>::decode(value)?.0)))
    }
}

impl<'r, T: TextColumn> Decode<'r, Postgres> for NullableText<T> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        if sqlx::ValueRef::is_null(&value) {
            return Ok(NullableText(None));
        }
        Ok(NullableText(Some(<Text<T> as Decode<'r, Postgres>>::decode(value)?.0)))
    }
}

macro_rules! text_column {
    ($t:ty, $what:literal, $to:expr, $from:expr) => {
        impl TextColumn for $t {
            const WHAT: &'static str = $what;
            fn to_text(self) -> &'static str {
                $to(self)
            }
            fn from_text(text: &str) -> Option<Self> {
                $from(text)
            }
        }

        impl From<Text<$t>> for $t {
            fn from(value: Text<$t>) -> Self {
                value.0
            }
        }

        /// Row fields kept as text for the API's response types: decoded through the
        /// enum, so an unknown value is refused at read time.
        impl From<Text<$t>> for String {
            fn from(value: Text<$t>) -> Self {
                value.0.to_text().to_string()
            }
        }

        impl From<NullableText<$t>> for Option<String> {
            fn from(value: NullableText<$t>) -> Self {
                value.0.map(|v| v.to_text().to_string())
            }
        }
    };
}

text_column!(Status, "report status", Status::as_str, Status::parse);
text_column!(ReportKind, "report kind", ReportKind::as_str, ReportKind::parse);
text_column!(Role, "role", Role::as_str, Role::parse);
text_column!(EventStatus, "event status", EventStatus::as_str, EventStatus::parse);
text_column!(UnitEventKind, "unit event kind", UnitEventKind::as_str, UnitEventKind::parse);
text_column!(UnitKind, "unit kind", UnitKind::as_str, UnitKind::parse);
text_column!(BaseFigure, "base figure", BaseFigure::as_str, BaseFigure::parse);
text_column!(Timeliness, "timeliness", timeliness_text, timeliness_parse);

/// The text of a timeliness in the `timeliness` column.
pub fn timeliness_text(t: Timeliness) -> &'static str {
    match t {
        Timeliness::OnTime => "on_time",
        Timeliness::Late => "late",
    }
}

fn timeliness_parse(text: &str) -> Option<Timeliness> {
    match text {
        "on_time" => Some(Timeliness::OnTime),
        "late" => Some(Timeliness::Late),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_reads_back_and_an_unknown_value_is_named() {
        for s in [Status::Draft, Status::Submitted, Status::Accepted, Status::Returned] {
            assert_eq!(Text::<Status>::decode_text(s.to_text()).map(|t| t.0).ok(), Some(s));
        }
        for t in [Timeliness::OnTime, Timeliness::Late] {
            assert_eq!(Text::<Timeliness>::decode_text(t.to_text()).map(|t| t.0).ok(), Some(t));
        }
        for r in Role::ALL {
            assert_eq!(Text::<Role>::decode_text(r.to_text()).map(|t| t.0).ok(), Some(r));
        }
        let e = Text::<Role>::decode_text("superuser").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("unknown role") && e.contains("superuser"), "{e}");
    }
}
