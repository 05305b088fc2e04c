//! Axum extractors whose rejections speak the API's error shape.

use axum::extract::{FromRequest, FromRequestParts, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// JSON body; malformed JSON → 400, wrong shape → 422, wrong content type → 415.
///
/// Every body the API reads is an object, so anything else is a 422 rather than serde's
/// positional reading of an array. A whole number written as a float (`5.0`) is an integer
/// to JSON Schema, so it is read as one.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(ApiError::validation("the body must be a JSON object"));
        }
        serde_json::from_value(whole_numbers_as_integers(value))
            .map(Json)
            .map_err(|e| {
                ApiError::validation(format!(
                    "Failed to deserialize the JSON body into the target type: {e}"
                ))
            })
    }
}

fn whole_numbers_as_integers(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::Number(match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => (f as i64).into(),
            _ => n,
        }),
        Value::Array(items) => items.into_iter().map(whole_numbers_as_integers).collect(),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k, whole_numbers_as_integers(v)))
                .collect(),
        ),
        other => other,
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// A multipart body whose rejection (no boundary, not multipart) is the API's JSON error.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Multipart)
            .map_err(|rejection| {
                ApiError::bad_request(format!("not a multipart body: {}", rejection.body_text()))
            })
    }
}

impl std::ops::Deref for Multipart {
    type Target = axum::extract::Multipart;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Multipart {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

#[cfg(test)]
mod tests {
    use super::whole_numbers_as_integers;
    use serde_json::json;

    #[test]
    fn reads_whole_floats_as_integers_and_leaves_fractions() {
        let read = whole_numbers_as_integers(json!({"a": 827.0, "b": [-1.0, 2.5], "c": {"d": 3}}));
        assert_eq!(read, json!({"a": 827, "b": [-1, 2.5], "c": {"d": 3}}));
        assert!(read["a"].is_i64());
        assert!(read["b"][1].is_f64());
    }
}
