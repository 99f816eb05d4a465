//! Redis replies in the forms JS reads: text per pipelined command (`submit`), JSON text for
//! `command`/`eval` (integers as numbers, bulk and status strings as strings, nil as null,
//! arrays as arrays).
use alova_core::redis::{server_error, Value};
use alova_core::Result;

use crate::json::push_str;

/// A reply as text, for callers that know what they asked for (GET, SET, DEL, ...).
pub fn to_text(v: Value) -> Result<Option<String>> {
    Ok(match v {
        Value::Nil => None,
        Value::BulkString(b) => Some(
            String::from_utf8(b)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        Value::SimpleString(s) => Some(s),
        Value::Okay => Some("OK".into()),
        Value::Int(i) => Some(i.to_string()),
        Value::ServerError(e) => return Err(server_error(&e)),
        other => Some(to_json(&other)?),
    })
}

pub fn to_json(v: &Value) -> Result<String> {
    let mut out = String::new();
    write(v, &mut out)?;
    Ok(out)
}

fn write(v: &Value, out: &mut String) -> Result<()> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Double(d) if d.is_finite() => out.push_str(&d.to_string()),
        Value::Double(_) => out.push_str("null"),
        Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Okay => out.push_str("\"OK\""),
        Value::SimpleString(s) => push_str(s, out),
        Value::BulkString(b) => push_str(&String::from_utf8_lossy(b), out),
        Value::VerbatimString { text, .. } => push_str(text, out),
        Value::Array(items) | Value::Set(items) => list(items.iter(), out)?,
        Value::Map(pairs) => list(pairs.iter().flat_map(|(k, v)| [k, v]), out)?,
        Value::ServerError(e) => return Err(server_error(e)),
        other => push_str(&format!("{other:?}"), out),
    }
    Ok(())
}

fn list<'a>(items: impl Iterator<Item = &'a Value>, out: &mut String) -> Result<()> {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out)?;
    }
    out.push(']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_replies() {
        let v = Value::Array(vec![
            Value::Int(3),
            Value::BulkString(b"a\"b".to_vec()),
            Value::Nil,
            Value::Okay,
            Value::Array(vec![]),
        ]);
        assert_eq!(to_json(&v).unwrap(), r#"[3,"a\"b",null,"OK",[]]"#);
        assert_eq!(to_text(Value::Int(2)).unwrap().as_deref(), Some("2"));
        assert_eq!(to_text(Value::Nil).unwrap(), None);
    }
}
