/// Idle documents leave memory every few seconds; this allocator gives their pages back.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    casesync_server::cli::main()
}
