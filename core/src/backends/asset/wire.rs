//! The wire types, as the mock backend writes and reads them (with serde, the `serde` feature).
//!
//! The adapter does not use them: it reads an answer field by field from [`Json`](crate::json::Json),
//! which keeps serde out of the widget and tolerates what a real server varies. What keeps the two
//! in step is the mock backend's tests, which run the export machine with this adapter against
//! answers made from these types.

/// `{code, info}`: the answer to a POST, and every error.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Info {
    /// 0 on success; else the document's error code.
    pub code: i64,
    /// `Succeed`, or the error.
    pub info: String,
}

/// `{code, data}`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Data<T> {
    /// 0.
    pub code: i64,
    /// The payload.
    pub data: T,
}

/// A task of `GET /api/async_task/{session}`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Task {
    /// The task's id.
    pub id: u64,
    /// Who started it.
    pub manager: String,
    /// `YYYY-MM-DD HH:MM:SS`.
    pub create_time: String,
    /// Assets to handle.
    pub number_need: u64,
    /// Assets handled successfully.
    pub number_succeed: u64,
    /// 0 running, 1 done, 2 done with failures.
    pub finish: i64,
    /// 1 import, 2 export.
    pub port_type: i64,
}

/// An exported asset record.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[allow(non_snake_case)]
pub struct AssetRecord {
    /// The asset's id.
    pub id: u64,
    /// Its parent's name (`""` for none).
    pub parentName: String,
    /// Its name.
    pub name: String,
    /// 0 条目型 (one item), 1 数量型 (a quantity).
    pub assetClass: i64,
    /// Who holds it.
    pub userName: String,
    /// Its current value.
    pub price: f64,
    /// A description.
    pub description: String,
    /// Where it is.
    pub position: String,
    /// 1 when expired.
    pub expire: i64,
    /// How many.
    pub count: i64,
    /// Its category.
    pub assetTree: String,
    /// Its department.
    pub departmentName: String,
    /// Created on, `YYYY-MM-DD`.
    pub create_time: String,
    /// Useful life, in days.
    pub deadline: i64,
    /// Its value when bought.
    pub initial_price: f64,
    /// Quantity warning line (-1: none).
    pub warning_amount: i64,
    /// Age warning line (-1: none).
    pub warning_date: i64,
    /// Expires on, `YYYY-MM-DD`.
    pub expire_date: String,
    /// Its state.
    pub status: i64,
}
