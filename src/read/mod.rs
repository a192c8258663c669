//! Read: the SQLite file, opened read-only, into the model.

pub mod cells;
pub mod open;
pub mod schema;
pub mod sessions;

pub use open::open_read_only;
