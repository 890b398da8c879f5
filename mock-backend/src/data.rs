//! Deterministic K12 data: terms, students and scores.
//!
//! Every value is a pure function of `(term id, student index)`, so a row is generated when it is
//! written and the 100,000-student term never sits in memory. The same server always answers the
//! same data, which the tests and the demo rely on.

use crate::hash::mix;
use crate::sim::writer::Cell;

/// A term (期次) of the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// The fixed id used in the URL (`/j/org/{termId}/...`).
    pub id: u32,
    /// 期次名称, used in the file name.
    pub name: &'static str,
    /// How many students the term has.
    pub students: u64,
}

/// The terms the mock knows. The ids are fixed: tests and the demo use them.
pub const TERMS: [Term; 5] = [
    Term { id: 1001, name: "2024春季班", students: 48 },
    Term { id: 1002, name: "2024暑期集训", students: 0 },
    Term { id: 1003, name: "2024秋季班", students: 1_200 },
    Term { id: 1004, name: "2025寒假班", students: 100_000 },
    Term { id: 1005, name: "2025春季班", students: 320 },
];

/// The student count of the `huge` scenario.
pub const HUGE_STUDENTS: u64 = 100_000;
/// Homework assignments (作业) per term.
pub const HOMEWORK_COUNT: usize = 8;
/// Stage tests (阶段测试) per term.
pub const TEST_COUNT: usize = 4;
/// Students per class (班级).
const CLASS_SIZE: u64 = 40;

/// Looks a term up by id.
pub fn term(id: u32) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id == id)
}

/// What is exported: one kind per endpoint pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 作业统计 (`/homework/export`).
    Homework,
    /// 阶段测试统计 (`/test/export`).
    Test,
    /// 学生名单 (`/student/export`).
    Student,
}

impl Kind {
    /// Every kind, in the order the routes list them.
    pub const ALL: [Kind; 3] = [Kind::Homework, Kind::Test, Kind::Student];

    /// Parses the URL segment (`homework`, `test`, `student`).
    pub fn from_segment(segment: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.segment() == segment)
    }

    /// The URL segment.
    pub fn segment(self) -> &'static str {
        match self {
            Kind::Homework => "homework",
            Kind::Test => "test",
            Kind::Student => "student",
        }
    }

    /// The file name's prefix, before `-{期次名称}`.
    pub fn file_prefix(self) -> &'static str {
        match self {
            Kind::Homework => "K12作业统计",
            Kind::Test => "K12阶段测试统计",
            Kind::Student => "K12学生名单",
        }
    }

    /// The worksheet's name.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Kind::Homework => "作业统计",
            Kind::Test => "阶段测试统计",
            Kind::Student => "学生名单",
        }
    }

    /// The header row.
    pub fn header(self) -> Vec<String> {
        let mut h: Vec<String> = ["学号", "姓名", "班级"].iter().map(|s| (*s).to_owned()).collect();
        match self {
            Kind::Homework => {
                h.extend((1..=HOMEWORK_COUNT).map(|i| format!("作业{i}")));
                h.push("平均分".to_owned());
            }
            Kind::Test => {
                h.extend((1..=TEST_COUNT).map(|i| format!("阶段测试{i}")));
                h.push("总分".to_owned());
            }
            Kind::Student => h.push("手机".to_owned()),
        }
        h
    }
}

/// A student, generated from `(term id, index)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Student {
    /// 学号: the term id followed by the 1-based index on six digits.
    pub number: String,
    /// 姓名.
    pub name: String,
    /// 班级.
    pub class: String,
    /// 手机, masked the way real exports show it.
    pub phone: String,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "欧阳", "司马", "上官",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "健", "俊", "帆", "浩", "宇", "轩", "然", "梓", "涵",
    "欣", "怡", "子", "晨", "博", "文", "雨", "思", "嘉", "佳", "琪", "悦", "诗", "睿", "泽", "航", "一", "诺", "可",
    "馨", "昊", "天", "宁", "安", "远", "阳", "婷", "雪", "琳", "晶", "颖", "鑫", "毅", "峰", "彤", "瑶", "萱", "乐",
];

const PHONE_PREFIXES: &[&str] =
    &["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "186", "187", "188"];

fn seed(term_id: u32, index: u64, salt: u64) -> u64 {
    mix(mix(u64::from(term_id) << 40 ^ salt) ^ index)
}

fn pick<'a>(list: &[&'a str], h: u64) -> &'a str {
    // The list lengths are small constants, so the cast cannot truncate.
    list[(h % list.len() as u64) as usize]
}

/// The student at `index` (0-based) of a term.
pub fn student(term_id: u32, index: u64) -> Student {
    let h = seed(term_id, index, 1);
    let mut name = pick(SURNAMES, h).to_owned();
    name.push_str(pick(GIVEN, h >> 16));
    if !(h >> 32).is_multiple_of(3) {
        name.push_str(pick(GIVEN, h >> 40));
    }
    let p = seed(term_id, index, 2);
    Student {
        number: format!("{term_id}{:06}", index + 1),
        name,
        class: format!("{}班", index / CLASS_SIZE + 1),
        phone: format!("{}****{:04}", pick(PHONE_PREFIXES, p), (p >> 8) % 10_000),
    }
}

/// The homework score (0–100) of a student for assignment `n` (0-based).
pub fn homework_score(term_id: u32, index: u64, n: usize) -> u32 {
    let h = seed(term_id, index, 100 + n as u64);
    // 55..=100, so the averages look like a real class.
    55 + (h % 46) as u32
}

/// The stage test score (0–100) of a student for test `n` (0-based).
pub fn test_score(term_id: u32, index: u64, n: usize) -> u32 {
    let h = seed(term_id, index, 200 + n as u64);
    40 + (h % 61) as u32
}

/// The exported row of a student: the header's columns, in order.
pub fn row(term_id: u32, kind: Kind, index: u64) -> Vec<Cell> {
    let s = student(term_id, index);
    let mut cells = vec![Cell::Text(s.number), Cell::Text(s.name), Cell::Text(s.class)];
    match kind {
        Kind::Homework => {
            let scores: Vec<u32> = (0..HOMEWORK_COUNT).map(|n| homework_score(term_id, index, n)).collect();
            let sum: u32 = scores.iter().sum();
            cells.extend(scores.iter().map(|&v| Cell::Number(f64::from(v))));
            // One decimal, as the school's reports show it.
            let average = (f64::from(sum) * 10.0 / HOMEWORK_COUNT as f64).round() / 10.0;
            cells.push(Cell::Number(average));
        }
        Kind::Test => {
            let scores: Vec<u32> = (0..TEST_COUNT).map(|n| test_score(term_id, index, n)).collect();
            cells.extend(scores.iter().map(|&v| Cell::Number(f64::from(v))));
            cells.push(Cell::Number(f64::from(scores.iter().sum::<u32>())));
        }
        Kind::Student => cells.push(Cell::Text(s.phone)),
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn students_are_deterministic_and_look_chinese() {
        let a = student(1001, 7);
        assert_eq!(a, student(1001, 7));
        assert_ne!(a, student(1001, 8));
        assert_eq!(a.number, "1001000008");
        assert_eq!(a.class, "1班");
        assert!(a.name.chars().count() >= 2 && a.name.chars().all(|c| !c.is_ascii()), "{}", a.name);
        assert!(a.phone.contains("****") && a.phone.len() == 11, "{}", a.phone);
        assert_eq!(student(1004, 99_999).number, "1004100000");
    }

    #[test]
    fn rows_match_the_header() {
        for kind in Kind::ALL {
            assert_eq!(row(1003, kind, 5).len(), kind.header().len(), "{kind:?}");
        }
        assert_eq!(Kind::Homework.header().len(), 3 + HOMEWORK_COUNT + 1);
        assert_eq!(Kind::Test.header().last().map(String::as_str), Some("总分"));
    }

    #[test]
    fn average_and_total_agree_with_the_scores() {
        let r = row(1001, Kind::Test, 3);
        let nums: Vec<f64> = r.iter().filter_map(|c| if let Cell::Number(n) = c { Some(*n) } else { None }).collect();
        assert_eq!(nums[..TEST_COUNT].iter().sum::<f64>(), nums[TEST_COUNT]);
        assert!(nums.iter().all(|&n| n >= 0.0));
    }
}
