//! CSV as spreadsheets read it safely: RFC 4180 quoting, CRLF line ends, UTF-8, and no cell that
//! a spreadsheet would run as a formula (CSV injection).

/// One record, with its line end.
pub fn record<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_cell(&mut line, cell.as_ref());
    }
    line.push_str("\r\n");
    line
}

/// A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is what spreadsheets
/// treat as a formula: it gets a leading apostrophe, which they show as text. Then a cell with
/// a comma, semicolon, quote or line break is quoted, its quotes doubled.
fn push_cell(line: &mut String, cell: &str) {
    let neutralised = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // `;` too: spreadsheets in some locales split on it, and quoting keeps the cell whole.
    let quoted = cell.contains([',', ';', '"', '\n', '\r']);
    if quoted {
        line.push('"');
    }
    if neutralised {
        line.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            line.push('"');
        }
        line.push(c);
    }
    if quoted {
        line.push('"');
    }
}

/// A file read as CSV: each record with the line it starts on.
pub type Records = Vec<(usize, Vec<String>)>;

/// The most cells a line may have: far more than any file of users, few enough that a line of
/// commas cannot make millions of them.
pub const MAX_CELLS: usize = 100;

/// Reads a CSV file (RFC 4180: quoted cells may hold commas, doubled quotes and line breaks;
/// CRLF or LF line ends; a UTF-8 byte order mark is skipped). Blank lines are skipped. Refuses,
/// saying where: anything but UTF-8, a NUL character, a quote left open, a line of more than
/// [`MAX_CELLS`] cells, more than `max_records` records (it stops there, so the memory a file
/// takes is bounded by what it may hold).
pub fn read(bytes: &[u8], max_records: usize) -> Result<Records, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        format!("The file is not UTF-8 text (line {line} has a byte that is not UTF-8). Save it as \u{201c}CSV UTF-8\u{201d} and upload it again.")
    })?;
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(format!("Line {line} holds a NUL character, which no text file has. Save the file as CSV and upload it again."));
    }
    let mut records = Vec::new();
    let (mut cells, mut cell) = (Vec::new(), String::new());
    let (mut line, mut start) = (1, 1);
    let (mut quoted, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                cell.push(c);
            }
            (false, '"') if cell.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                cells.push(std::mem::take(&mut cell));
                was_quoted = false;
                if cells.len() >= MAX_CELLS {
                    return Err(format!("Line {start} has more than {MAX_CELLS} cells."));
                }
            }
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                cells.push(std::mem::take(&mut cell));
                if !(cells.len() == 1 && cells[0].is_empty() && !was_quoted) {
                    if records.len() == max_records {
                        return Err(format!("The file has more than {max_records} lines."));
                    }
                    records.push((start, std::mem::take(&mut cells)));
                }
                cells.clear();
                was_quoted = false;
                line += 1;
                start = line;
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(format!("Line {start} opens a quoted cell that is never closed."));
    }
    if !cell.is_empty() || !cells.is_empty() || was_quoted {
        cells.push(cell);
        if records.len() == max_records {
            return Err(format!("The file has more than {max_records} lines."));
        }
        records.push((start, cells));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::{read, record};

    #[test]
    fn quotes_what_needs_quoting() {
        assert_eq!(record(&["plain", "a,b", "say \"hi\"", "two\nlines", ""]), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
        assert_eq!(record(&["Zoë Ærø", "東京"]), "Zoë Ærø,東京\r\n");
        assert_eq!(record(&["x;=HYPERLINK(1)", "Finance; Legal"]), "\"x;=HYPERLINK(1)\",\"Finance; Legal\"\r\n");
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(record(&["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "a=b"]), "'=1+1,'+1,'-2,'@SUM(A1),'\tx,a=b\r\n");
        assert_eq!(record(&["=HYPERLINK(\"http://x\",\"y\")"]), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
        assert_eq!(record(&["\rcmd"]), "\"'\rcmd\"\r\n");
    }

    #[test]
    fn reads_what_it_writes() {
        let text = record(&["userName", "givenName"]) + &record(&["zoë@example.com", "Zoë, \"Z\"\nÆrø"]) + "\n" + "plain,x";
        let rows = read(text.as_bytes(), 10).unwrap();
        assert_eq!(rows[0], (1, vec!["userName".to_string(), "givenName".to_string()]));
        assert_eq!(rows[1], (2, vec!["zoë@example.com".to_string(), "Zoë, \"Z\"\nÆrø".to_string()]));
        assert_eq!(rows[2], (5, vec!["plain".to_string(), "x".to_string()]));
        assert_eq!(rows.len(), 3);
    }

    #[test]
    fn refuses_what_is_not_utf8_or_not_closed() {
        assert!(read(b"userName\nab\xff", 10).unwrap_err().contains("line 2"));
        assert!(read(b"\xEF\xBB\xBFuserName\n\"open,x\n", 10).unwrap_err().contains("Line 2"));
        assert_eq!(read(b"\xEF\xBB\xBFuserName\r\n\r\nada\r\n", 10).unwrap(), vec![(1, vec!["userName".to_string()]), (3, vec!["ada".to_string()])]);
    }

    #[test]
    fn stops_at_what_a_file_may_hold() {
        assert!(read(b"a\nb\nc\n", 2).unwrap_err().contains("more than 2 lines"));
        assert!(read(",".repeat(200).as_bytes(), 10).unwrap_err().contains("more than 100 cells"));
        assert!(read(b"userName\nada\0\n", 10).unwrap_err().contains("Line 2 holds a NUL"));
    }
}
