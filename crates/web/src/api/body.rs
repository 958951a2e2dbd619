//! The JSON body of an API request: always a JSON object. serde would also build a
//! struct from a JSON array (its fields by position), so `[]` stored an all-empty
//! text; the OpenAPI document says `type: object`, and the API holds to it.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Failure};

/// `Json<T>` for request bodies, refusing anything but a JSON object (422). Not JSON
/// (400), no JSON content type (415) and over the size limit (413) answer as axum's
/// `Json` does (made bilingual JSON by `json_rejections`).
pub struct Object<T>(pub T);

fn unprocessable(vi: String, en: String) -> Response {
    ApiError(Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_request", vi, en)).into_response()
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Object<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let Json(value) =
            Json::<serde_json::Value>::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        if !value.is_object() {
            return Err(unprocessable(
                "Dữ liệu gửi lên phải là một đối tượng JSON ({…})".to_string(),
                "The JSON body must be an object ({…})".to_string(),
            ));
        }
        T::deserialize(Strict(value)).map(Object).map_err(|e| {
            let (vi, en) = crate::actions::reports::explain_json_error(&e.to_string());
            unprocessable(vi, en)
        })
    }
}

/// The body as a deserializer that refuses, at the top level, a field the target
/// struct does not have (serde would ignore it: `{"version":0,"values":{…}}` with
/// `values` misplaced stored an empty report). Every API body gets this without each
/// struct saying `deny_unknown_fields` (some also read HTML forms, whose `csrf` field
/// they must ignore). Nested structs say it themselves.
struct Strict(serde_json::Value);

impl<'de> serde::Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        serde::Deserializer::deserialize_any(self.0, visitor)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if let serde_json::Value::Object(map) = &self.0 {
            if let Some(unknown) = map.keys().find(|k| !fields.contains(&k.as_str())) {
                return Err(serde::de::Error::unknown_field(unknown, fields));
            }
        }
        serde::Deserializer::deserialize_struct(self.0, name, fields, visitor)
    }

    fn deserialize_map<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        serde::Deserializer::deserialize_map(self.0, visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct enum identifier ignored_any
    }
}

/// For `#[serde(deserialize_with = "…")]` on a report's `input`: an object whose
/// `activities`, when given, are objects (not the fields of one by position).
pub fn report_input<'de, D: serde::Deserializer<'de>>(d: D) -> Result<phongtrao_domain::report::ReportInput, D::Error> {
    use phongtrao_domain::report::json::bilingual;
    use serde::de::Error;
    let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
    let Some(fields) = value.as_object() else {
        return Err(D::Error::custom(bilingual("input phải là một đối tượng {…}", "input must be an object {…}")));
    };
    if fields.contains_key("own_level") {
        return Err(D::Error::custom(bilingual(
            "own_level chỉ dùng cho báo cáo lên cấp trên (/reports/{đơn vị}/{kỳ}/up)",
            "own_level belongs to a report up only (/reports/{unit}/{period}/up)",
        )));
    }
    if let Some(serde_json::Value::Array(items)) = fields.get("activities") {
        if !items.iter().all(serde_json::Value::is_object) {
            return Err(D::Error::custom(bilingual(
                "mỗi hoạt động phải là một đối tượng {…}",
                "every activity must be an object {…}",
            )));
        }
    }
    serde_json::from_value(value).map_err(|e| {
        let (vi, en) = crate::actions::reports::explain_json_error(&e.to_string());
        let vi = vi.trim_start_matches("Dữ liệu gửi lên không hợp lệ: ").to_string();
        let en = en.trim_start_matches("The request is not valid: ").to_string();
        D::Error::custom(bilingual(&format!("input: {vi}"), &format!("input: {en}")))
    })
}
