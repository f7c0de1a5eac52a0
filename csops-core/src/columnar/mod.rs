//! The one columnar boundary: Arrow arrays into the core's column views, and back.
//!
//! Tables reach csops as Arrow data from many places: a pandas, polars or pyarrow frame a data
//! scientist passes (through Python's Arrow PyCapsule interface), a DuckDB result, a Parquet
//! file. Each binding only hands the arrays over; what a column *means* (which Arrow types are
//! numbers, how a null or a date reads, what an account id may be) is decided here, once, for
//! every language:
//!
//! - [`read`]: Arrow chunks into `f64` columns (NaN = missing), text, yes/no, account ids, and
//!   the columns of the condition language ([`read::condition_column`]).
//! - [`write`](mod@write): result columns into Arrow (validity bitmaps made in one pass).
//!
//! Loading *records* from Arrow tables is [`crate::interchange::load_arrow_tables`], which
//! reads each cell as the text a CSV export would hold, so a table and a CSV of the same
//! content load alike.

pub mod read;
pub mod write;

pub use read::{
    all_null, bools, condition_column, floats, floats_into, ids, is_number, single_float64, texts,
};
pub use write::validity;
