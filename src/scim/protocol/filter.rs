//! The SCIM filter language (RFC 7644 §3.4.2.2) parsed into a tree. Operators and attribute
//! names are case-insensitive. Precedence: `not` binds tightest, then `and`, then `or`.

use super::limits::{MAX_FILTER_CHARS, MAX_FILTER_DEPTH, MAX_FILTER_TERMS};
use super::path::AttrPath;
pub use crate::domain::query::Op as CompareOp;

#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare(AttrPath, CompareOp, CompValue),
    Present(AttrPath),
    /// Every one of these (a chain `a and b and c` is one list, so it costs no recursion).
    And(Vec<Filter>),
    /// Any one of these.
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`, optionally followed by `.sub op value` (as Entra sends for emails).
    ValuePath { attr: AttrPath, filter: Box<Filter>, then: Option<Box<Filter>> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => { tokens.push(Token::Open); i += 1; }
            ')' => { tokens.push(Token::Close); i += 1; }
            '[' => { tokens.push(Token::OpenBracket); i += 1; }
            ']' => { tokens.push(Token::CloseBracket); i += 1; }
            '"' => {
                // A JSON string: find its end, honouring backslash escapes, then decode it.
                let start = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(FilterError("a quoted string is not closed".into()));
                }
                let literal: String = chars[start..=i].iter().collect();
                let value: String = serde_json::from_str(&literal)
                    .map_err(|_| FilterError(format!("{literal} is not a valid string")))?;
                tokens.push(Token::Str(value));
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')' | '[' | ']' | '"') {
                    i += 1;
                }
                tokens.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    terms: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    /// `a or b or ...`: one flat list, so a long chain is as deep as one term.
    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut terms = vec![self.and()?];
        while self.keyword("or") {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Filter::Or(terms) })
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut terms = vec![self.unary()?];
        while self.keyword("and") {
            self.pos += 1;
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Filter::And(terms) })
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(FilterError(format!("the filter nests deeper than {MAX_FILTER_DEPTH} levels")));
        }
        let result = self.unary_inner();
        self.depth -= 1;
        result
    }

    fn unary_inner(&mut self) -> Result<Filter, FilterError> {
        if self.keyword("not") {
            self.pos += 1;
            if self.peek() != Some(&Token::Open) {
                return Err(FilterError("'not' must be followed by '('".into()));
            }
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.or()?;
            if self.next() != Some(Token::Close) {
                return Err(FilterError("a '(' is not closed".into()));
            }
            return Ok(inner);
        }
        self.attribute_expression()
    }

    fn attribute_expression(&mut self) -> Result<Filter, FilterError> {
        let word = match self.next() {
            Some(Token::Word(w)) => w,
            other => return Err(FilterError(format!("expected an attribute name, found {}", describe(other.as_ref())))),
        };
        if self.peek() == Some(&Token::OpenBracket) {
            self.pos += 1;
            let attr = AttrPath::parse(&word).ok_or_else(|| FilterError(format!("{word} is not an attribute path")))?;
            let inner = self.or()?;
            if self.next() != Some(Token::CloseBracket) {
                return Err(FilterError("a '[' is not closed".into()));
            }
            // `emails[type eq "work"].value eq "x"`: the sub-attribute is glued to the bracket.
            let then = match self.peek() {
                Some(Token::Word(w)) if w.starts_with('.') => {
                    let sub = w[1..].to_string();
                    self.pos += 1;
                    let path = AttrPath::parse(&sub).ok_or_else(|| FilterError(format!("{sub} is not a sub-attribute")))?;
                    Some(Box::new(self.comparison(path)?))
                }
                _ => None,
            };
            return Ok(Filter::ValuePath { attr, filter: Box::new(inner), then });
        }
        let path = AttrPath::parse(&word).ok_or_else(|| FilterError(format!("{word} is not an attribute path")))?;
        self.comparison(path)
    }

    fn comparison(&mut self, path: AttrPath) -> Result<Filter, FilterError> {
        self.terms += 1;
        if self.terms > MAX_FILTER_TERMS {
            return Err(FilterError(format!("the filter has more than {MAX_FILTER_TERMS} comparisons")));
        }
        let op = match self.next() {
            Some(Token::Word(w)) => w.to_ascii_lowercase(),
            other => return Err(FilterError(format!("expected an operator, found {}", describe(other.as_ref())))),
        };
        let op = match op.as_str() {
            "pr" => return Ok(Filter::Present(path)),
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            other => return Err(FilterError(format!("{other} is not a filter operator"))),
        };
        let value = match self.next() {
            Some(Token::Str(s)) => CompValue::Str(s),
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "true" => CompValue::Bool(true),
                "false" => CompValue::Bool(false),
                "null" => CompValue::Null,
                _ => match w.parse::<f64>() {
                    Ok(n) => CompValue::Num(n),
                    // Entra's tutorial shows unquoted values (`externalId eq jyoung`): take them as strings.
                    Err(_) => CompValue::Str(w),
                },
            },
            other => return Err(FilterError(format!("expected a value, found {}", describe(other.as_ref())))),
        };
        Ok(Filter::Compare(path, op, value))
    }
}

fn describe(token: Option<&Token>) -> String {
    match token {
        None => "the end of the filter".into(),
        Some(Token::Word(w)) => format!("'{w}'"),
        Some(Token::Str(s)) => format!("\"{s}\""),
        Some(Token::Open) => "'('".into(),
        Some(Token::Close) => "')'".into(),
        Some(Token::OpenBracket) => "'['".into(),
        Some(Token::CloseBracket) => "']'".into(),
    }
}

pub fn parse(text: &str) -> Result<Filter, FilterError> {
    if text.chars().count() > MAX_FILTER_CHARS {
        return Err(FilterError(format!("the filter is longer than {MAX_FILTER_CHARS} characters")));
    }
    let mut parser = Parser { tokens: tokenize(text)?, pos: 0, depth: 0, terms: 0 };
    let filter = parser.or()?;
    match parser.peek() {
        None => Ok(filter),
        Some(t) => Err(FilterError(format!("unexpected {} after the filter", describe(Some(t))))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> AttrPath {
        AttrPath::parse(p).unwrap()
    }

    #[test]
    fn filter_operators_and_names_are_case_insensitive() {
        assert_eq!(
            parse(r#"UserName EQ "Ada@Example.com""#).unwrap(),
            Filter::Compare(path("userName"), CompareOp::Eq, CompValue::Str("Ada@Example.com".into()))
        );
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_needs_parentheses() {
        let f = parse(r#"a eq 1 or b eq 2 and not (c pr)"#).unwrap();
        let expected = Filter::Or(vec![
            Filter::Compare(path("a"), CompareOp::Eq, CompValue::Num(1.0)),
            Filter::And(vec![
                Filter::Compare(path("b"), CompareOp::Eq, CompValue::Num(2.0)),
                Filter::Not(Box::new(Filter::Present(path("c")))),
            ]),
        ]);
        assert_eq!(f, expected);
        assert!(parse("not c pr").is_err());
    }

    #[test]
    fn value_paths_with_and_without_a_trailing_sub_attribute() {
        let f = parse(r#"emails[type eq "work" and value co "@example.com"]"#).unwrap();
        assert!(matches!(f, Filter::ValuePath { then: None, .. }));
        let g = parse(r#"emails[type eq "work"].value eq "a@b.c""#).unwrap();
        match g {
            Filter::ValuePath { attr, then: Some(then), .. } => {
                assert_eq!(attr.attr, "emails");
                assert_eq!(*then, Filter::Compare(path("value"), CompareOp::Eq, CompValue::Str("a@b.c".into())));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strings_decode_json_escapes_and_literals_are_typed() {
        assert_eq!(
            parse(r#"displayName eq "say \"hi\"""#).unwrap(),
            Filter::Compare(path("displayName"), CompareOp::Eq, CompValue::Str("say \"hi\"".into()))
        );
        assert_eq!(parse("active eq True").unwrap(), Filter::Compare(path("active"), CompareOp::Eq, CompValue::Bool(true)));
        assert_eq!(parse("x eq null").unwrap(), Filter::Compare(path("x"), CompareOp::Eq, CompValue::Null));
    }

    #[test]
    fn broken_filters_say_what_is_wrong() {
        assert!(parse(r#"userName eq "open"#).unwrap_err().0.contains("not closed"));
        assert!(parse("userName zz 1").unwrap_err().0.contains("not a filter operator"));
        assert!(parse("(userName pr").unwrap_err().0.contains("not closed"));
        assert!(parse("userName pr extra").unwrap_err().0.contains("unexpected"));
        assert!(parse("").is_err());
    }

    #[test]
    fn absurdly_nested_or_long_filters_are_refused_without_recursing() {
        let deep = format!("{}a pr{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(parse(&deep).unwrap_err().0.contains("longer"));
        let nested = format!("{}a pr{}", "not (".repeat(40), ")".repeat(40));
        assert!(parse(&nested).unwrap_err().0.contains("deeper"));
        let fine = format!("{}a pr{}", "(".repeat(20), ")".repeat(20));
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn long_chains_are_flat_and_their_comparisons_are_counted() {
        let chain = |n: usize| (0..n).map(|i| format!("emails.value eq \"u{i}@example.com\"")).collect::<Vec<_>>().join(" or ");
        match parse(&chain(MAX_FILTER_TERMS)).unwrap() {
            Filter::Or(terms) => assert_eq!(terms.len(), MAX_FILTER_TERMS),
            other => panic!("{other:?}"),
        }
        assert!(parse(&chain(MAX_FILTER_TERMS + 1)).unwrap_err().0.contains("more than"));
        // Eight kilobytes of `or` used to overflow the stack of a debug build; now it is refused
        // for its length or its terms without deep recursion.
        let long = (0..2000).map(|_| "a pr").collect::<Vec<_>>().join(" or ");
        assert!(parse(&long).is_err());
    }
}
