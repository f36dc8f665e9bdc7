//! The admin commands that are more than a call to one use case: each in
//! the module named after it. `main` parses the command line; `startup`
//! holds the commands that share the server's start-up.

pub mod backup;
pub mod doctor;
pub mod export;
pub mod progress;
pub mod restore;
