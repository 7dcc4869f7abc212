use rand::RngCore;

/// A random secret of `bytes` bytes as URL-safe text.
pub fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A random opaque identifier for a stored record.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A request id: unique and time-ordered (UUID version 7), so the indexes that find a request's
/// log row and audit events grow at their end instead of at random pages. Not a secret.
pub fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
