//! The wire types, as the mock backend writes and reads them (with serde, the `serde` feature).
//!
//! The adapter does not use them: it reads an answer field by field from [`Json`](crate::json::Json),
//! which keeps serde out of the widget and tolerates what a real server varies. What keeps the two
//! in step is the mock backend's tests, which run the export machine with this adapter against
//! answers made from these types.

/// The body of `POST /v2/export_task` (its `params` are passed through as given, and not
/// described here).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CreateTask {
    /// The task's name.
    pub name: String,
    /// Its description.
    #[cfg_attr(feature = "serde", serde(default))]
    pub describe: String,
    /// The task type, 1–10.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: i64,
    /// `{app_id, product_id}`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub extend: Option<Extend>,
}

/// `extend` of a task.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Extend {
    /// 平台 appid (maintenance lists only).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub app_id: Option<String>,
    /// 产品 id (device lists only).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub product_id: Option<String>,
}

/// `{id}`, the answer to a created task.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Created {
    /// The task's id.
    pub id: String,
}

/// A task, as `GET /v2/export_task/{id}` and the list answer it.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Task {
    /// The task's id.
    pub id: String,
    /// Who created it.
    pub creator_id: String,
    /// Their name.
    pub creator_name: String,
    /// The task's name.
    pub name: String,
    /// Its description.
    pub describe: String,
    /// The task type.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: i64,
    /// 1 待导出, 2 导出中, 3 导出完成, 4 无效, 5 过期.
    pub status: i64,
    /// The CSV's size in bytes (0 until written).
    pub size: u64,
    /// The file's link, not authorised (answers 403).
    pub link_url: String,
    /// Created at, RFC 3339.
    pub create_time: String,
    /// A word on the result.
    pub result_desc: String,
    /// Objects to export.
    pub total: u64,
    /// Objects exported.
    pub finished: u64,
    /// Started at, RFC 3339 (empty before).
    pub begin_time: String,
    /// Ended at, RFC 3339 (empty before).
    pub end_time: String,
}

/// `{link_url}`: the signed link.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AuthLink {
    /// The signed, expiring URL of the file.
    pub link_url: String,
}

/// The body of `POST /v2/export_tasks`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ListTasks {
    /// From this offset (default 0).
    #[cfg_attr(feature = "serde", serde(default))]
    pub offset: Option<u64>,
    /// This many (default 10).
    #[cfg_attr(feature = "serde", serde(default))]
    pub limit: Option<u64>,
}

/// `{count, list}`.
#[derive(Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TaskList {
    /// Tasks in all.
    pub count: u64,
    /// This page.
    pub list: Vec<Task>,
}

/// `{"error": {"code", "msg"}}`, the body of an error answer.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error of an [`ErrorBody`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ErrorDetail {
    /// XLink's error code.
    pub code: i64,
    /// The message.
    pub msg: String,
}
