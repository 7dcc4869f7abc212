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

#[cfg(test)]
mod tests {
    use super::record;

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
}
