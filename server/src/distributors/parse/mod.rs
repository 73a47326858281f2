//! Feed parsing: CSV (any separator, header or column numbers, decimal commas, legacy
//! encodings) and JSON, streamed row by row into a sink. A bad row is rejected with its line
//! number and the reason; a mapping that cannot apply to the file at all fails the whole parse.

mod json;

use super::settings::Settings;
use crate::store::distributors::PriceRow;
use sluice_contract::distributors::{ColumnMapping, FeedFormat};
use std::io::Read;

/// What the parser hands the sink.
pub enum Item {
    Row { line: u64, row: PriceRow },
    Rejected { line: u64, reason: String },
}

/// The sink answers `false` to stop early (the preview stops after a few rows).
pub type Sink<'a> = dyn FnMut(Item) -> Result<bool, String> + 'a;

/// Parses the feed; answers the header's column names (CSV with a header) or an error that
/// fails the run.
pub fn parse(reader: impl Read, s: &Settings, sink: &mut Sink) -> Result<Vec<String>, String> {
    match s.format {
        FeedFormat::Csv => csv(reader, s, sink),
        FeedFormat::Json => json::parse(reader, s, sink),
    }
}

fn encoding(name: &str) -> Option<&'static encoding_rs::Encoding> {
    match name.to_ascii_lowercase().as_str() {
        "utf-8" => None,
        "utf-16" => Some(encoding_rs::UTF_16LE),
        "iso-8859-1" | "latin-1" | "latin1" => Some(encoding_rs::WINDOWS_1252),
        other => encoding_rs::Encoding::for_label(other.as_bytes()),
    }
}

fn csv(reader: impl Read, s: &Settings, sink: &mut Sink) -> Result<Vec<String>, String> {
    let source: Box<dyn Read> = match encoding(&s.csv.encoding) {
        // UTF-8 stays bytes, so a bad byte rejects its row instead of turning into U+FFFD.
        None => Box::new(reader),
        Some(enc) => Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(enc)).build(reader)),
    };
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(s.csv.delimiter_byte().unwrap_or(b','))
        .has_headers(false)
        .flexible(true)
        .from_reader(source);
    let mut record = csv::ByteRecord::new();
    let mut header = Vec::new();
    let mut index: Option<Columns> = None;
    let mut expected = 0usize;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                match e.kind() {
                    csv::ErrorKind::Io(io) => return Err(format!("Reading the feed failed at line {line}: {io}")),
                    _ => {
                        if !sink(Item::Rejected { line, reason: format!("malformed CSV: {e}") })? {
                            break;
                        }
                        continue;
                    }
                }
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if index.is_none() {
            let first_bom = record.get(0).map(|f| f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f).to_vec());
            if s.csv.header {
                header = record
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let f = if i == 0 { first_bom.as_deref().unwrap_or(f) } else { f };
                        String::from_utf8_lossy(f).trim().to_string()
                    })
                    .collect();
                index = Some(Columns::by_name(&s.mapping, &header)?);
                expected = header.len();
                continue;
            }
            index = Some(Columns::by_number(&s.mapping, record.len())?);
            expected = record.len();
        }
        let cols = index.as_ref().expect("set above");
        if record.len() != expected {
            let reason = format!("expected {expected} columns, found {}", record.len());
            if !sink(Item::Rejected { line, reason })? {
                break;
            }
            continue;
        }
        let field = |i: Option<usize>| -> Result<Option<String>, String> {
            let Some(i) = i else { return Ok(None) };
            let raw = record.get(i).unwrap_or_default();
            let raw = if i == 0 && line == 1 { raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw) } else { raw };
            let text = std::str::from_utf8(raw).map_err(|_| {
                format!("column {} is not valid UTF-8 (is the file Latin-1? set the encoding)", cols.label(i))
            })?;
            Ok(Some(text.trim().to_string()).filter(|t| !t.is_empty()))
        };
        let item = match cols.extract(field, s.csv.decimal_comma) {
            Ok(row) => Item::Row { line, row },
            Err(reason) => Item::Rejected { line, reason },
        };
        if !sink(item)? {
            break;
        }
    }
    Ok(header)
}

/// Where each mapped value sits in a CSV record.
struct Columns {
    sku: usize,
    price: usize,
    mpn: Option<usize>,
    description: Option<usize>,
    currency: Option<usize>,
    stock: Option<usize>,
    names: Vec<String>,
}

impl Columns {
    fn by_name(m: &ColumnMapping, header: &[String]) -> Result<Columns, String> {
        let find = |field: &str, name: &str| -> Result<usize, String> {
            header.iter().position(|h| h.eq_ignore_ascii_case(name.trim())).ok_or_else(|| {
                format!(
                    "The mapping's {field} column \"{name}\" is not in the file's header (columns: {}).",
                    header.join(", ")
                )
            })
        };
        Self::build(m, header.to_vec(), find)
    }

    fn by_number(m: &ColumnMapping, width: usize) -> Result<Columns, String> {
        let find = |field: &str, col: &str| -> Result<usize, String> {
            match col.trim().parse::<usize>() {
                Ok(n) if (1..=width).contains(&n) => Ok(n - 1),
                _ => Err(format!(
                    "The mapping's {field} points at column {col}, but the file's rows have {width} columns."
                )),
            }
        };
        Self::build(m, (1..=width).map(|n| format!("#{n}")).collect(), find)
    }

    fn build(
        m: &ColumnMapping,
        names: Vec<String>,
        find: impl Fn(&str, &str) -> Result<usize, String>,
    ) -> Result<Columns, String> {
        let opt = |field: &str, col: &Option<String>| {
            col.as_deref().filter(|c| !c.trim().is_empty()).map(|c| find(field, c)).transpose()
        };
        Ok(Columns {
            sku: find("sku", &m.sku)?,
            price: find("costPrice", &m.cost_price)?,
            mpn: opt("mpn", &m.mpn)?,
            description: opt("description", &m.description)?,
            currency: opt("currency", &m.currency)?,
            stock: opt("stock", &m.stock)?,
            names,
        })
    }

    fn label(&self, i: usize) -> String {
        self.names.get(i).cloned().unwrap_or_else(|| format!("#{}", i + 1))
    }

    fn extract(
        &self,
        field: impl Fn(Option<usize>) -> Result<Option<String>, String>,
        decimal_comma: bool,
    ) -> Result<PriceRow, String> {
        let sku = field(Some(self.sku))?.ok_or("SKU is empty")?;
        let price_text = field(Some(self.price))?.ok_or("cost price is empty")?;
        to_row(
            sku,
            &price_text,
            decimal_comma,
            field(self.mpn)?,
            field(self.description)?,
            field(self.currency)?,
            field(self.stock)?,
        )
    }
}

fn to_row(
    sku: String,
    price: &str,
    decimal_comma: bool,
    mpn: Option<String>,
    description: Option<String>,
    currency: Option<String>,
    stock: Option<String>,
) -> Result<PriceRow, String> {
    let price = parse_price(price, decimal_comma).ok_or_else(|| format!("cost price \"{price}\" is not a number"))?;
    if price < 0 {
        return Err(format!("cost price {} is negative", format_price(price)));
    }
    let stock =
        stock.map(|s| parse_stock(&s).ok_or_else(|| format!("stock \"{s}\" is not a whole number"))).transpose()?;
    Ok(PriceRow { sku, mpn, description, price, currency: currency.map(|c| c.to_ascii_uppercase()), stock })
}

/// `1,000.99`, `1.000,99` (decimal comma), `0000010.00`, `€ 12.5` → ten-thousandths.
pub fn parse_price(text: &str, decimal_comma: bool) -> Option<i64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && !matches!(c, '$' | '€' | '£' | '\'')).collect();
    let t = if decimal_comma { t.replace('.', "").replace(',', ".") } else { t.replace(',', "") };
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.as_str()),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac4: String = frac.chars().take(4).collect();
    while frac4.len() < 4 {
        frac4.push('0');
    }
    let mut value = whole.checked_mul(10_000)?.checked_add(frac4.parse::<i64>().ok()?)?;
    // Round half up on the fifth decimal.
    if frac.as_bytes().get(4).is_some_and(|d| *d >= b'5') {
        value += 1;
    }
    Some(if negative { -value } else { value })
}

/// Ten-thousandths → `"12.34"` (two decimals at least, four at most).
pub fn format_price(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let v = value.unsigned_abs();
    let mut frac = format!("{:04}", v % 10_000);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{sign}{}.{frac}", v / 10_000)
}

fn parse_stock(text: &str) -> Option<i64> {
    let t = text.trim().trim_start_matches(['>', '+']).replace([',', '.'], "");
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_in_both_conventions() {
        assert_eq!(parse_price("1,000.99", false), Some(10_009_900));
        assert_eq!(parse_price("1.000,99", true), Some(10_009_900));
        assert_eq!(parse_price("0000010.00", false), Some(100_000));
        assert_eq!(parse_price("12.34567", false), Some(123_457));
        assert_eq!(parse_price("abc", false), None);
        assert_eq!(parse_price("", false), None);
        assert_eq!(format_price(123_400), "12.34");
        assert_eq!(format_price(123_456), "12.3456");
        assert_eq!(format_price(10_000), "1.00");
    }
}
