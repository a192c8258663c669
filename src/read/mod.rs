//! Read: the SQLite file, opened read-only, into the model.

pub mod open;
pub mod schema;

pub use open::open_read_only;
