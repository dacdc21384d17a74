//! The Audit tab: the account's trail, newest first, paged and filtered by the query string
//! (a GET form). The work is the service's `audit_events`, as for REST and SOAP.

use super::fields::{FormError, is_page_error};
use super::handling::{in_session, refused_form};
use super::respond::html;
use super::views::audit::{Filter, TrailPage, trail as trail_page};
use super::views::pager::Pages;
use crate::domain::{AuditEvent, Paging};
use crate::service::{Gateway, Operation};
use actix_web::http::StatusCode;
use actix_web::web::{Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

/// Events on one page of the trail.
const PAGE_SIZE: u32 = 20;

/// The query as sent; what is not valid is the core's to refuse.
#[derive(Deserialize, Default)]
struct TrailQuery {
    target: Option<String>,
    action: Option<String>,
    skip: Option<String>,
}

pub async fn trail(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let query = Query::<TrailQuery>::from_query(request.query_string())
        .map(Query::into_inner)
        .unwrap_or_default();
    let TrailQuery {
        target,
        action,
        skip,
    } = query;
    let filter = Filter {
        target: target.clone().unwrap_or_default(),
        action: action.clone().unwrap_or_default(),
    };
    in_session(
        &request,
        gateway,
        Operation::GetAuditEvents,
        None,
        move |visit| {
            // One more than a page tells whether an older page exists.
            let found = visit
                .audit_trail(
                    target.as_deref(),
                    action.as_deref(),
                    PAGE_SIZE + 1,
                    skip.as_deref(),
                )
                .and_then(|events| Ok((events, Paging::parse(None, skip.as_deref())?.skip)));
            match found {
                Err(error) if is_page_error(&error) => Err(error),
                // A filter the core refused is shown in the form, next to its field.
                found => Ok(found),
            }
        },
        move |who, flash, found| {
            let page = |found: Result<(&[AuditEvent], &Pages), &FormError>| {
                trail_page(&TrailPage {
                    who,
                    flash,
                    filter: &filter,
                    found,
                })
            };
            match found {
                Ok((mut events, skip)) => {
                    let pages = Pages::cut(&mut events, skip, PAGE_SIZE);
                    html(StatusCode::OK, page(Ok((&events, &pages))))
                }
                Err(error) => refused_form(&error, |error| page(Err(error))),
            }
        },
    )
    .await
}
