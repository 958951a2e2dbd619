//! The OpenAPI document of /api/v1, generated from the handlers' `#[utoipa::path]`
//! attributes and the types they take and answer (utoipa + utoipa-axum): the error
//! shape every refusal answers, the reusable error responses, the names shared by
//! several operations (roles, unit kinds, base figures) and the security schemes.
//! The document is built once, when the router is, and served at
//! /api/v1/openapi.json; a golden copy is kept in the repository (docs/openapi.json)
//! and the integration test `openapi` fails when it changes unexpectedly.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// Every refusal of the API: `{"error": {"code", "message_vi", "message_en"}}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Error {
    pub error: ErrorDetail,
}

/// What went wrong, in Vietnamese and in English.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// Machine-readable: bad_request, unauthenticated, forbidden, not_found, invalid, conflict, …
    pub code: String,
    /// In Vietnamese
    pub message_vi: String,
    /// In English
    pub message_en: String,
    /// 429 and 503 only: seconds to wait before trying again
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i64>,
}

/// A field of a report that is not valid, in both languages.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    /// What is wrong, as a word of the form's rule set ("number_invalid", "date_outside"…)
    #[serde(default)]
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

// The reusable error responses: each documents one status with the JSON error.
// (Types for the document only: the handlers answer through `ApiError`.)

/// Malformed: a body that is not JSON, a path or query parameter that does not parse
#[derive(IntoResponses)]
#[response(status = 400)]
#[allow(dead_code)]
pub struct BadRequest(Error);

/// Not logged in (no session, no valid token)
#[derive(IntoResponses)]
#[response(status = 401)]
#[allow(dead_code)]
pub struct Unauthenticated(Error);

/// Not allowed for this role or unit (or a cookie session without the X-CSRF-Token header on a write)
#[derive(IntoResponses)]
#[response(status = 403)]
#[allow(dead_code)]
pub struct Forbidden(Error);

/// No such unit, period, account or other thing named in the path or the query
#[derive(IntoResponses)]
#[response(status = 404)]
#[allow(dead_code)]
pub struct NotFound(Error);

/// The request conflicts with what is stored (or was just done)
#[derive(IntoResponses)]
#[response(status = 409)]
#[allow(dead_code)]
pub struct Conflict(Error);

/// The body is too large
#[derive(IntoResponses)]
#[response(status = 413)]
#[allow(dead_code)]
pub struct TooLarge(Error);

/// The body is not sent as application/json
#[derive(IntoResponses)]
#[response(status = 415)]
#[allow(dead_code)]
pub struct UnsupportedMediaType(Error);

/// A value of the wrong type, a missing field, or a value the rules refuse
#[derive(IntoResponses)]
#[response(status = 422)]
#[allow(dead_code)]
pub struct Invalid(Error);

/// Too many attempts: wait `retry_after_seconds` (also in the Retry-After header)
#[derive(IntoResponses)]
#[response(status = 429)]
#[allow(dead_code)]
pub struct TooManyRequests(Error);

/// The refusals of a JSON body: not JSON (400), too large (413), not sent as
/// application/json (415), a wrong type, a missing field or a refused value (422).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum JsonBody {
    /// Malformed: a body that is not JSON, a path or query parameter that does not parse
    #[response(status = 400)]
    BadRequest(Error),
    /// The body is too large
    #[response(status = 413)]
    TooLarge(Error),
    /// The body is not sent as application/json
    #[response(status = 415)]
    UnsupportedMediaType(Error),
    /// A value of the wrong type, a missing field, or a value the rules refuse
    #[response(status = 422)]
    Invalid(Error),
}

/// An account's role.
#[derive(ToSchema)]
#[schema(as = Role)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RoleName {
    Admin,
    Steering,
    UnitOffice,
    Unit,
    Viewer,
}

/// A unit's kind.
#[derive(ToSchema)]
#[schema(as = UnitKind)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum UnitKindName {
    Province,
    City,
    District,
    Affiliated,
    Ward,
    Township,
    Commune,
    SpecialZone,
    School,
    Agency,
    Enterprise,
    Branch,
}

/// A base figure of a unit (members, youth, …), which percent-of-base goals are measured against.
#[derive(ToSchema)]
#[schema(as = BaseFigure)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum BaseFigureName {
    DoanVien,
    CanBoDoan,
    ThanhNien,
    ThanhThieuNhi,
    ClbTsntTtvpl,
}

/// A unit's name: 2 to 200 characters once trimmed, no control characters
#[derive(ToSchema)]
#[schema(
    as = UnitName,
    value_type = String,
    pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]{0,198}[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u0000-\u001f\u007f-\u009f][\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
)]
#[allow(dead_code)]
pub struct UnitName(String);

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token from /account"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "phongtrao_session",
                "The session cookie; state-changing requests also need the X-CSRF-Token header",
            ))),
        );
    }
}

/// The document's frame: its description, the shared schemas and the security
/// schemes; the paths come from the router (`super::router`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "phongtrao API",
        version = "1",
        description = "The JSON twin of the phongtrao web UI. Every error is {\"error\": {\"code\", \"message_vi\", \"message_en\"}}. A body that is not JSON answers 400, without Content-Type: application/json 415, with a wrong type or a missing field 422, over the size limit 413. A property a JSON body does not know is refused (422, naming it). A name of a unit, period or indicator that does not exist answers 404 in the path; in a body or a query filter it answers 404 or 422 as documented per operation.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(
        Error,
        ErrorDetail,
        RoleName,
        UnitKindName,
        BaseFigureName,
        UnitName,
        super::reports::ReportConflict,
        super::reports::ReportInvalid,
        super::admin::InvalidRows,
    )),
    security(("bearer" = []), ("cookie" = [])),
    modifiers(&Security),
)]
pub struct ApiDoc;

static DOCUMENT: OnceLock<String> = OnceLock::new();

/// Keeps the generated document to serve it (the first router built sets it; every
/// router builds the same document).
pub fn publish(document: &utoipa::openapi::OpenApi) {
    if DOCUMENT.get().is_none() {
        let text = document.to_pretty_json().unwrap_or_else(|_| "{}".to_string());
        let _ = DOCUMENT.set(text);
    }
}

/// The generated document, as served (pretty-printed JSON).
pub fn document_json() -> String {
    DOCUMENT.get().cloned().unwrap_or_else(|| super::openapi().to_pretty_json().unwrap_or_default())
}

/// The document itself: GET /api/v1/openapi.json.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of /api/v1", body = Object)),
)]
pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document_json())
}

/// A goal: a whole number of at most 15 digits (`1500` or `1500.0`), not negative.
pub struct Goal;

impl utoipa::PartialSchema for Goal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        #[allow(clippy::cast_precision_loss)]
        let max = super::whole::MAX as f64;
        ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).maximum(Some(max)).into()
    }
}

impl ToSchema for Goal {}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    use utoipa::PartialSchema;

    fn properties(schema: RefOr<Schema>) -> BTreeSet<String> {
        match schema {
            RefOr::T(Schema::Object(o)) => o.properties.keys().cloned().collect(),
            _ => BTreeSet::new(),
        }
    }

    fn keys<T: serde::Serialize>(value: &T) -> BTreeSet<String> {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect()))
            .unwrap_or_default()
    }

    /// The bodies documented beside the types they are read into (types shared with
    /// the pages' forms, which must ignore the form's own fields) name the same fields.
    #[test]
    fn documented_bodies_name_the_fields_their_types_read() {
        use phongtrao_domain::report::{ActivityInput, ReportInput};
        assert_eq!(properties(super::super::reports::ReportInputSchema::schema()), keys(&ReportInput::default()));
        assert_eq!(properties(super::super::reports::ActivitySchema::schema()), keys(&ActivityInput::default()));
        assert_eq!(
            properties(super::super::documents::DocumentTextsInput::schema()),
            keys(&crate::documents::DocumentTexts::default())
        );
    }
}
