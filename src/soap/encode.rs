//! Response payloads, written in the schema's element order and qualification: wrappers in
//! the v2 namespace (default), data fields in `http://apiconnector.com` (prefix `a`).

use super::xml_text::xml_text;
use crate::domain::{ApiUser, AuditEvent, Timestamp};
use crate::service::Operation;
use crate::service::account_info::AccountInfo;
use std::fmt::Write;

/// What an operation returns.
#[derive(Debug)]
pub enum Reply {
    AccountInfo(AccountInfo),
    ServerTime(Timestamp),
    ApiUsers(Vec<ApiUser>),
    ApiUser(ApiUser),
    AuditEvents(Vec<AuditEvent>),
    Nothing,
}

const NIL: &str = r#"xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true""#;

/// The Body's content for a successful `operation`.
pub fn response_payload(operation: Operation, reply: &Reply) -> String {
    let name = operation.name();
    let mut out = format!(r#"<{name}Response xmlns="http://apiconnector.com/v2""#);
    let open_result = |out: &mut String| {
        write!(out, r#"><{name}Result xmlns:a="http://apiconnector.com">"#).ok();
    };
    match reply {
        Reply::Nothing => {
            out.push_str("/>");
            return out;
        }
        Reply::ServerTime(time) => {
            write!(out, "><{name}Result>{time}</{name}Result>").ok();
        }
        Reply::AccountInfo(info) => {
            open_result(&mut out);
            write!(out, "<a:Id>{}</a:Id><a:Properties>", info.id.0).ok();
            for property in &info.properties {
                write!(
                    out,
                    "<a:ApiAccountProperty><a:Name>{}</a:Name><a:Type>{}</a:Type>\
                     <a:Value>{}</a:Value></a:ApiAccountProperty>",
                    property.name,
                    property.kind.as_str(),
                    xml_text(&property.value)
                )
                .ok();
            }
            write!(out, "</a:Properties></{name}Result>").ok();
        }
        Reply::ApiUsers(users) => {
            open_result(&mut out);
            for user in users {
                out.push_str("<a:ApiUser>");
                api_user_fields(&mut out, user);
                out.push_str("</a:ApiUser>");
            }
            write!(out, "</{name}Result>").ok();
        }
        Reply::ApiUser(user) => {
            open_result(&mut out);
            api_user_fields(&mut out, user);
            write!(out, "</{name}Result>").ok();
        }
        Reply::AuditEvents(events) => {
            open_result(&mut out);
            for event in events {
                audit_event(&mut out, event);
            }
            write!(out, "</{name}Result>").ok();
        }
    }
    write!(out, "</{name}Response>").ok();
    out
}

fn audit_event(out: &mut String, event: &AuditEvent) {
    write!(
        out,
        "<a:AuditEvent><a:Id>{}</a:Id><a:At>{}</a:At><a:Actor>{}</a:Actor>\
         <a:Action>{}</a:Action><a:Target>{}</a:Target><a:Protocol>{}</a:Protocol>",
        event.id,
        event.at,
        xml_text(&event.actor),
        event.action.as_str(),
        xml_text(&event.target),
        event.origin.channel.as_str()
    )
    .ok();
    match &event.origin.address {
        Some(address) => write!(out, "<a:Address>{}</a:Address>", xml_text(address)).ok(),
        None => write!(out, "<a:Address {NIL}/>").ok(),
    };
    out.push_str("<a:Changes>");
    for (field, value) in &event.changes {
        write!(
            out,
            "<a:AuditChange><a:Field>{}</a:Field><a:Value>{}</a:Value></a:AuditChange>",
            xml_text(field),
            xml_text(value)
        )
        .ok();
    }
    out.push_str("</a:Changes></a:AuditEvent>");
}

fn api_user_fields(out: &mut String, user: &ApiUser) {
    write!(
        out,
        "<a:Id>{}</a:Id><a:Email>{}</a:Email><a:Description>{}</a:Description>\
         <a:Status>{}</a:Status><a:IsTieredRateLimitedApiUser>{}</a:IsTieredRateLimitedApiUser>\
         <a:IsLocked>{}</a:IsLocked><a:Created>{}</a:Created>",
        user.id.0,
        xml_text(user.login.as_str()),
        xml_text(user.description.as_str()),
        user.status.as_str(),
        user.tiered_rate_limit,
        user.locked,
        user.created
    )
    .ok();
    match user.last_used {
        Some(time) => write!(out, "<a:LastUsed>{time}</a:LastUsed>").ok(),
        None => write!(out, "<a:LastUsed {NIL}/>").ok(),
    };
}
