//! Extractors whose rejections are [`ApiError`]s, so a malformed body, query or path gets the
//! same JSON error shape as every other error; [`Signed`], the signed-in caller; and
//! [`Require`], the capability a route needs.

use super::errors::ApiError;
use crate::http::session::Signed;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use duban_app::actor::Capability;
use duban_domain::Error;
use std::marker::PhantomData;

/// A JSON body. Every body the API takes is an object (or `null` where it is optional): a
/// top-level array is refused, as serde would otherwise read it as the struct's fields in order.
pub struct Json<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        let unreadable = |detail: String| ApiError {
            error: Error::invalid("body", format!("请求内容不是有效的 JSON 或字段有误：{detail}")),
            status: Some(axum::http::StatusCode::UNPROCESSABLE_ENTITY),
        };
        if value.is_array() {
            return Err(unreadable("请求体须是 JSON 对象，不能是数组".into()));
        }
        serde_json::from_value(value).map(Json).map_err(|e| unreadable(e.to_string()))
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The signed-in caller, as [`super::auth::require_caller`] put them in the request.
impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Signed>().cloned().ok_or_else(|| Error::Unauthenticated.into())
    }
}

/// The signed-in caller, who must have the capability `C`; 403 otherwise. Put it before the
/// handler's other extractors, so that a caller without the capability learns nothing more.
pub struct Require<C>(pub Signed, pub PhantomData<C>);

impl<S: Send + Sync, C: Capability> FromRequestParts<S> for Require<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = <Signed as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        caller.require::<C>()?;
        Ok(Require(caller, PhantomData))
    }
}
