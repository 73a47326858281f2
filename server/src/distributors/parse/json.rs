//! JSON feeds, streamed: the document is walked down the records path without being held,
//! and each record of the array found there is mapped and handed to the sink on its own, so
//! a JSON file's memory is one record, as a CSV file's is one row.

use super::{to_row, Item, Sink};
use crate::distributors::settings::Settings;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::io::{BufRead, BufReader, Read};

/// What the walk carries: where it is going, and what it found or why it stopped.
struct Walk<'s, 'k> {
    settings: &'s Settings,
    sink: &'k mut Sink<'k>,
    /// The records path as written, for messages.
    path: Option<&'s str>,
    line: u64,
    columns: Vec<String>,
    /// The sink asked to stop (the preview has its rows).
    stopped: bool,
    /// Why the walk failed in the feed's own terms; serde's message otherwise.
    failure: Option<String>,
}

pub fn parse(reader: impl Read, s: &Settings, sink: &mut Sink) -> Result<Vec<String>, String> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    // Only whitespace (or nothing) is an empty feed, not a malformed one.
    loop {
        let buf = reader.fill_buf().map_err(|e| format!("Reading the feed failed: {e}"))?;
        if buf.is_empty() {
            return Ok(Vec::new());
        }
        let blank = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let whole = blank == buf.len();
        reader.consume(blank);
        if !whole {
            break;
        }
    }
    let path = s.records_path.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let keys: Vec<&str> = path.map(|p| p.split('.').collect()).unwrap_or_default();
    let mut walk = Walk { settings: s, sink, path, line: 0, columns: Vec::new(), stopped: false, failure: None };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let walked = Step { walk: &mut walk, keys: &keys }.deserialize(&mut de).and_then(|()| {
        if walk.stopped {
            Ok(())
        } else {
            de.end()
        }
    });
    match walked {
        Ok(()) => Ok(walk.columns),
        Err(_) if walk.stopped => Ok(walk.columns),
        Err(_) if walk.failure.is_some() => Err(walk.failure.take().unwrap_or_default()),
        Err(e) if e.is_io() => Err(format!("Reading the feed failed: {e}")),
        Err(e) => Err(format!("The feed is not valid JSON: {e}")),
    }
}

/// One level of the walk: `keys` still to follow, then the records.
struct Step<'w, 's, 'k, 'p> {
    walk: &'w mut Walk<'s, 'k>,
    keys: &'p [&'p str],
}

impl<'de> DeserializeSeed<'de> for Step<'_, '_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Step<'_, '_, '_, '_> {
    /// The value here is not what the path expects: say so in the admin's terms.
    fn wrong<E: de::Error>(self) -> Result<(), E> {
        let message = match (self.keys.first(), self.walk.path) {
            (Some(key), path) => format!("The JSON has no \"{key}\" (records path \"{}\").", path.unwrap_or("")),
            (None, Some(p)) => format!("The JSON at \"{p}\" is not an array of records."),
            (None, None) => {
                "The JSON is not an array of records; set the records path to the key that holds them.".to_string()
            }
        };
        self.walk.failure = Some(message.clone());
        Err(E::custom(message))
    }
}

impl<'de> Visitor<'de> for Step<'_, '_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the records path or an array of records")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((key, rest)) = self.keys.split_first() else { return self.wrong() };
        let mut found = false;
        while let Some(name) = map.next_key::<String>()? {
            if !found && name == *key {
                found = true;
                map.next_value_seed(Step { walk: &mut *self.walk, keys: rest })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if found {
            Ok(())
        } else {
            self.wrong()
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.keys.is_empty() {
            return self.wrong();
        }
        let walk = self.walk;
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            walk.line += 1;
            if walk.line == 1 {
                walk.columns = value.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            }
            let item = record(walk.line, &value, walk.settings);
            match (walk.sink)(item) {
                Ok(true) => {}
                Ok(false) => {
                    walk.stopped = true;
                    return Err(de::Error::custom("stopped"));
                }
                Err(message) => {
                    walk.failure = Some(message.clone());
                    return Err(de::Error::custom(message));
                }
            }
        }
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.wrong()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.wrong()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.wrong()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.wrong()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.wrong()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.wrong()
    }
}

/// One record mapped to a row, or why it was rejected.
fn record(line: u64, record: &serde_json::Value, s: &Settings) -> Item {
    let Some(obj) = record.as_object() else {
        return Item::Rejected { line, reason: format!("record {line} is not an object") };
    };
    let m = &s.mapping;
    let get = |key: &Option<String>| -> Option<String> {
        let key = key.as_deref().filter(|k| !k.trim().is_empty())?;
        match obj.get(key.trim())? {
            serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    let row = (|| {
        let sku = get(&Some(m.sku.clone())).ok_or_else(|| format!("\"{}\" (SKU) is missing or empty", m.sku))?;
        let price = get(&Some(m.cost_price.clone()))
            .ok_or_else(|| format!("\"{}\" (cost price) is missing or empty", m.cost_price))?;
        to_row(sku, &price, s.csv.decimal_comma, get(&m.mpn), get(&m.description), get(&m.currency), get(&m.stock))
    })();
    match row {
        Ok(row) => Item::Row { line, row },
        Err(reason) => Item::Rejected { line, reason },
    }
}
