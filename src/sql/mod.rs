//! SQL text handling: a total tokenizer for SQLite's dialect, the keyword list, and what
//! we read out of DDL with them.

pub mod ddl;
pub mod keywords;
pub mod lexer;
