fn main() -> std::process::ExitCode {
    casesync_server::cli::main()
}
