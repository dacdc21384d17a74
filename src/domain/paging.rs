use super::error::{Error, Result};

/// A validated page request: `select` 1..=1000 (default 1000), `skip` >= 0 (default 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub select: u32,
    pub skip: u32,
}

pub const MAX_SELECT: u32 = 1000;

impl Paging {
    /// Parses the raw parameters as they arrive on the wire; `None` takes the default.
    pub fn parse(select: Option<&str>, skip: Option<&str>) -> Result<Paging> {
        let select = match select {
            None => MAX_SELECT,
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_SELECT).contains(n))
                .ok_or(Error::ParameterInvalid("select"))?,
        };
        let skip = match skip {
            None => 0,
            Some(raw) => raw
                .trim()
                .parse::<i32>()
                .ok()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or(Error::ParameterInvalid("skip"))?,
        };
        Ok(Paging { select, skip })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(
            Paging::parse(None, None),
            Ok(Paging {
                select: 1000,
                skip: 0
            })
        );
        assert_eq!(
            Paging::parse(Some("1"), Some("2147483647")),
            Ok(Paging {
                select: 1,
                skip: 2147483647
            })
        );
        assert_eq!(Paging::parse(Some("1000"), Some("0")).unwrap().select, 1000);
    }

    #[test]
    fn out_of_range_or_garbage_is_parameter_invalid() {
        for select in ["0", "1001", "-1", "ten", "", "1.5"] {
            assert_eq!(
                Paging::parse(Some(select), None),
                Err(Error::ParameterInvalid("select")),
                "{select}"
            );
        }
        for skip in ["-1", "x", "2147483648", ""] {
            assert_eq!(
                Paging::parse(None, Some(skip)),
                Err(Error::ParameterInvalid("skip")),
                "{skip}"
            );
        }
    }
}
