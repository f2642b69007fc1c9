//! The date on an export's cover and in its metadata. China Standard Time (UTC+8), because the material is
//! printed for offices in Chongqing whatever the computer's clock zone; `SOURCE_DATE_EPOCH` (the reproducible
//! builds convention) fixes the moment so the same library exports to identical bytes.

use std::time::{SystemTime, UNIX_EPOCH};

/// When an export was made, in the two spellings the formats need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// 2024年5月20日
    pub chinese: String,
    /// 2024-05-20T08:30:00Z (UTC)
    pub iso: String,
}

impl Stamp {
    /// Now, or `SOURCE_DATE_EPOCH` when set.
    pub fn now() -> Stamp {
        let fixed = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok());
        let secs = fixed
            .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0));
        Stamp::at(secs)
    }

    /// The stamp of a UNIX time.
    pub fn at(unix_seconds: i64) -> Stamp {
        let (y, m, d, hh, mm, ss) = civil(unix_seconds);
        let (cy, cm, cd, ..) = civil(unix_seconds + 8 * 3600);
        Stamp {
            chinese: format!("{cy}年{cm}月{cd}日"), iso: format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
        }
    }
}

/// UNIX seconds → (year, month, day, hour, minute, second) in UTC.
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = crate::store::history::civil_from_days(secs.div_euclid(86_400));
    (y, m, d, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_china_and_utc() {
        assert_eq!(Stamp::at(0), Stamp { chinese: "1970年1月1日".into(), iso: "1970-01-01T00:00:00Z".into() });
        // 2024-02-29 20:00 UTC is already 1 March in Chongqing.
        let s = Stamp::at(1_709_236_800);
        assert_eq!(s.iso, "2024-02-29T20:00:00Z");
        assert_eq!(s.chinese, "2024年3月1日");
    }
}
