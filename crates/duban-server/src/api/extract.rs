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

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

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
