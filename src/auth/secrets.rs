use rand::RngCore;

/// A random secret of `bytes` bytes as URL-safe text.
pub fn random_secret(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A random opaque identifier for a stored record (a UUID version 4). Not a secret: its random
/// bits come from the thread's generator (seeded by the OS) instead of a system call each.
pub fn new_id() -> String {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid().to_string()
}

/// An id unique and ordered by the millisecond it was made in (UUID version 7, random within the
/// millisecond), for records made many at a time (requests, users): the indexes that find them
/// by id (a request's log row and audit events, a user's row and search terms) then grow at
/// their end instead of at random pages, and a commit writes fewer pages. Not a secret, and it
/// tells no more than the record's creation time, which SCIM shows anyway; nothing orders by it.
pub fn new_ordered_id() -> String {
    let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    uuid::Builder::from_unix_timestamp_millis(millis, &rand::random()).into_uuid().to_string()
}
