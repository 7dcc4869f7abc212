#[tokio::main]
async fn main() -> std::process::ExitCode {
    cim::server::cli::run().await
}
