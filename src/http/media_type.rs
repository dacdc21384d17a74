use actix_web::HttpRequest;
use actix_web::http::header::{CONTENT_TYPE, HeaderMap};

/// A request's Content-Type: as sent, its lower-cased essence, and its parameters (names
/// lower-cased, values unquoted).
#[derive(Debug, Clone, Default)]
pub struct MediaType {
    pub raw: String,
    pub essence: String,
    parameters: Vec<(String, String)>,
}

impl MediaType {
    pub fn of(request: &HttpRequest) -> MediaType {
        MediaType::of_headers(request.headers())
    }

    /// From a request's headers, where no `HttpRequest` exists yet (before routing).
    pub fn of_headers(headers: &HeaderMap) -> MediaType {
        let raw = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut parts = raw.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let parameters = parts
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                (
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_owned(),
                )
            })
            .collect();
        MediaType {
            raw,
            essence,
            parameters,
        }
    }

    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
