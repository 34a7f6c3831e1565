//! The one timestamp format of the API, `YYYY-MM-DDThh:mm:ssZ` (UTC): read
//! here by hand (the workspace builds `time` without its parsing feature),
//! written with the runtime's signer.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Reads `YYYY-MM-DDThh:mm:ssZ`, also with fractional seconds
/// (`...:05.123Z`), as some SDKs send them. `None` for anything else.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let rest = &b[19..];
    let fraction_ok = match rest {
        [b'Z'] => true,
        [b'.', digits @ .., b'Z'] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !fraction_ok {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[range];
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(num(0..4)?).ok()?, month, u8::try_from(num(8..10)?).ok()?).ok()?;
    let time = Time::from_hms(
        u8::try_from(num(11..13)?).ok()?,
        u8::try_from(num(14..16)?).ok()?,
        u8::try_from(num(17..19)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc().unix_timestamp())
}

/// Writes `YYYY-MM-DDThh:mm:ssZ`, as the client's signer does.
pub(crate) fn format(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let mut buf = [0u8; aliyun_runtime::signing::TIMESTAMP_LEN];
    aliyun_runtime::signing::timestamp(&mut buf, t).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_reads_and_writes_back() {
        assert_eq!(parse("2016-02-23T12:46:24Z"), Some(1_456_231_584));
        assert_eq!(format(1_456_231_584), "2016-02-23T12:46:24Z");
        assert_eq!(parse("2016-02-23T12:46:24.250Z"), Some(1_456_231_584));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "2016-02-23",
            "2016-02-23T12:46:24",
            "2016-02-23T12:46:24+08:00",
            "2016-13-23T12:46:24Z",
            "2016-02-30T12:46:24Z",
            "2016-02-23T25:46:24Z",
            "2016-02-23T12:46:24.Z",
            "2016-0a-23T12:46:24Z",
            "２016-02-23T12:46:24Z",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
