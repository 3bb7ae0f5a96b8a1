//! The `suratd` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    suratd::cli::main()
}
