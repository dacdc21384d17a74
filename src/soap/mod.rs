//! The SOAP adapter: `POST /v2/Api.svc` (SOAP 1.1 and 1.2) and the WSDL. Wire format only;
//! every rule is in the core.

mod credentials;
mod decode;
mod encode;
mod envelope;
mod fault;
#[cfg(test)]
mod fuzz;
mod handler;
mod namespaces;
mod wsdl;
mod xml_text;
mod xml_tree;

pub use handler::refusal;
pub use wsdl::ServedWsdl;
pub use xml_tree::XmlLimits;

use actix_web::web;

/// The endpoint's path.
const PATH: &str = "/v2/Api.svc";

/// Whether `path` is the SOAP endpoint's, for answers given before routing.
pub fn serves(path: &str) -> bool {
    path == PATH
}

pub fn routes(config: &mut web::ServiceConfig) {
    config.service(
        web::resource(PATH)
            .route(web::post().to(handler::soap_endpoint))
            .route(web::get().to(handler::wsdl_or_hint))
            .default_service(web::route().to(handler::method_not_allowed)),
    );
}
