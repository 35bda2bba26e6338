//! The `$filter` grammar, by recursive descent over the lexer's tokens:
//! `or` < `and` < `not` < comparison (`eq ne gt ge lt le`), parentheses, property paths
//! (`customerProfile/address/country`), `any`/`all` lambdas over collections
//! (`team/any(t:t/email eq '…')`) and literals. Every property path is checked against the
//! filterable properties as it is read, so an unknown one is refused at its offset.
//! Nesting is bounded, so no input can exhaust the stack.

use chrono::{DateTime, FixedOffset};

use crate::double::odata::lexer::{tokens, Kind, Token};
use crate::double::odata::properties::{Properties, Shape};
use crate::double::odata::FilterError;

/// Deepest nesting of parentheses, `not` and lambdas accepted.
const MAX_DEPTH: usize = 32;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Compare, Operand, Operand),
    /// `path/any(v: body)` or `path/all(v: body)`; `any()` without a body means non-empty.
    Lambda(Box<Lambda>),
    /// A boolean on its own: `true`, or a boolean property.
    Truth(Operand),
}

impl Expr {
    /// The leftmost condition of a chain of `and`s (what a server that reads only the
    /// first condition would apply: the `list-filter-first-only` fault).
    #[must_use]
    pub fn first_condition(self) -> Expr {
        match self {
            Expr::And(left, _) => left.first_condition(),
            other => other,
        }
    }

    /// The top-level property names the filter reads.
    pub fn roots<'e>(&'e self, out: &mut Vec<&'e str>) {
        let operand = |o: &'e Operand, out: &mut Vec<&'e str>| {
            if let Operand::Path(Path {
                variable: None,
                segments,
            }) = o
            {
                out.extend(segments.first().map(String::as_str));
            }
        };
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.roots(out);
                b.roots(out);
            }
            Expr::Not(a) => a.roots(out),
            Expr::Compare(_, a, b) => {
                operand(a, out);
                operand(b, out);
            }
            Expr::Truth(a) => operand(a, out),
            Expr::Lambda(lambda) => {
                if lambda.collection.variable.is_none() {
                    out.extend(lambda.collection.segments.first().map(String::as_str));
                }
                if let Some(body) = &lambda.body {
                    body.roots(out);
                }
            }
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(Path),
    Literal(Literal),
}

/// A property path, from the resource or from a lambda variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub variable: Option<String>,
    pub segments: Vec<String>,
}

/// A lambda over a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Lambda {
    pub collection: Path,
    pub all: bool,
    pub variable: String,
    pub body: Option<Expr>,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
    DateTime(DateTime<FixedOffset>),
}

/// Parses `text`; with `properties`, every path must name a filterable property.
pub fn parse(text: &str, properties: Option<&Properties>) -> Result<Expr, FilterError> {
    let tokens = tokens(text)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        end: text.chars().count(),
        properties,
        scopes: Vec::new(),
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Err(FilterError::syntax(0, "the filter is empty"));
    }
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(FilterError::syntax(
            token.at,
            format!(
                "expected and, or or the end, found {}",
                describe(&token.kind)
            ),
        )),
    }
}

struct Parser<'p> {
    tokens: Vec<Token>,
    next: usize,
    /// The text's length in characters (the offset of "the end").
    end: usize,
    properties: Option<&'p Properties>,
    /// Lambda variables in scope, with the schema path of the collection they range over.
    scopes: Vec<(String, String)>,
    depth: usize,
}

fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Word(w) => format!("{w:?}"),
        Kind::Text(t) => format!("the string '{t}'"),
        Kind::Number(n) => format!("the number {n}"),
        Kind::DateTime(d) => format!("the date-time {}", d.to_rfc3339()),
        Kind::Guid(g) => format!("the GUID {g}"),
        Kind::Slash => "\"/\"".into(),
        Kind::Colon => "\":\"".into(),
        Kind::Comma => "\",\"".into(),
        Kind::Open => "\"(\"".into(),
        Kind::Close => "\")\"".into(),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn at(&self) -> usize {
        self.peek().map_or(self.end, |t| t.at)
    }

    fn bump(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).cloned();
        if token.is_some() {
            self.next += 1;
        }
        token
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek().map(|t| &t.kind) {
            Some(Kind::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn expect(&mut self, kind: &Kind, what: &str) -> Result<(), FilterError> {
        match self.bump() {
            Some(token) if token.kind == *kind => Ok(()),
            Some(token) => Err(FilterError::syntax(
                token.at,
                format!("expected {what}, found {}", describe(&token.kind)),
            )),
            None => Err(FilterError::syntax(
                self.end,
                format!("expected {what}, found the end"),
            )),
        }
    }

    fn deeper(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::syntax(
                self.at(),
                format!("nested more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and()?;
        while self.peek_word() == Some("or") {
            self.bump();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.peek_word() == Some("and") {
            self.bump();
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if self.peek_word() == Some("not") {
            self.bump();
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, FilterError> {
        if self.peek().map(|t| &t.kind) == Some(&Kind::Open) {
            self.bump();
            self.deeper()?;
            let inner = self.or()?;
            self.depth -= 1;
            self.expect(&Kind::Close, "\")\"")?;
            return Ok(inner);
        }
        let left = match self.operand()? {
            Side::Lambda(lambda) => return Ok(Expr::Lambda(lambda)),
            Side::Operand(operand) => operand,
        };
        let op = match self.peek_word() {
            Some("eq") => Compare::Eq,
            Some("ne") => Compare::Ne,
            Some("gt") => Compare::Gt,
            Some("ge") => Compare::Ge,
            Some("lt") => Compare::Lt,
            Some("le") => Compare::Le,
            _ => return Ok(Expr::Truth(left)),
        };
        self.bump();
        match self.operand()? {
            Side::Operand(right) => Ok(Expr::Compare(op, left, right)),
            Side::Lambda(_) => Err(FilterError::syntax(
                self.at(),
                "a lambda cannot be compared; use it as a condition",
            )),
        }
    }

    fn operand(&mut self) -> Result<Side, FilterError> {
        let Some(token) = self.bump() else {
            return Err(FilterError::syntax(
                self.end,
                "expected a property or a literal, found the end",
            ));
        };
        let literal = match token.kind {
            Kind::Text(text) | Kind::Guid(text) => Literal::Text(text),
            Kind::Number(number) => Literal::Number(number),
            Kind::DateTime(moment) => Literal::DateTime(moment),
            Kind::Word(word) => match word.as_str() {
                "true" => Literal::Bool(true),
                "false" => Literal::Bool(false),
                "null" => Literal::Null,
                _ => return self.path(word, token.at),
            },
            other => {
                return Err(FilterError::syntax(
                    token.at,
                    format!(
                        "expected a property or a literal, found {}",
                        describe(&other)
                    ),
                ))
            }
        };
        Ok(Side::Operand(Operand::Literal(literal)))
    }

    /// A path from its first segment; ends in a lambda when `any(`/`all(` follows a slash.
    fn path(&mut self, first: String, at: usize) -> Result<Side, FilterError> {
        let variable = self
            .scopes
            .iter()
            .rev()
            .find(|(name, _)| *name == first)
            .map(|(name, collection)| (name.clone(), collection.clone()));
        let mut segments = if variable.is_some() {
            Vec::new()
        } else {
            vec![first]
        };
        while self.peek().map(|t| &t.kind) == Some(&Kind::Slash) {
            self.bump();
            let Some(Token {
                kind: Kind::Word(word),
                at: word_at,
            }) = self.bump()
            else {
                return Err(FilterError::syntax(
                    self.at(),
                    "expected a property name after \"/\"",
                ));
            };
            let lambda = matches!(word.as_str(), "any" | "all")
                && self.peek().map(|t| &t.kind) == Some(&Kind::Open);
            if lambda {
                let collection = Path {
                    variable: variable.as_ref().map(|(name, _)| name.clone()),
                    segments,
                };
                let key = self.check(&collection, variable.as_ref(), at, Use::Collection)?;
                return self.lambda(collection, key, word == "all", word_at);
            }
            segments.push(word);
        }
        let path = Path {
            variable: variable.as_ref().map(|(name, _)| name.clone()),
            segments,
        };
        self.check(&path, variable.as_ref(), at, Use::Value)?;
        Ok(Side::Operand(Operand::Path(path)))
    }

    /// Checks a path against the filterable properties; returns its schema path.
    fn check(
        &self,
        path: &Path,
        variable: Option<&(String, String)>,
        at: usize,
        wanted: Use,
    ) -> Result<String, FilterError> {
        let mut key = variable.map(|(_, c)| c.clone()).unwrap_or_default();
        for segment in &path.segments {
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(segment);
        }
        let Some(properties) = self.properties else {
            return Ok(key);
        };
        if path.segments.is_empty() {
            // The lambda variable itself: an item of its collection.
            return Ok(key);
        }
        let shown = match variable {
            Some((name, _)) => format!("{name}/{}", path.segments.join("/")),
            None => key.clone(),
        };
        let Some(entry) = properties.get(&key) else {
            return Err(FilterError::property(
                at,
                &shown,
                "is not a property that can be filtered on",
            ));
        };
        if entry.in_collection && variable.is_none() {
            return Err(FilterError::property(
                at,
                &shown,
                "is inside a collection: filter it with any() or all()",
            ));
        }
        match (wanted, entry.shape) {
            (Use::Collection, Shape::Collection) | (Use::Value, Shape::Scalar) => Ok(key),
            (Use::Collection, _) => Err(FilterError::property(
                at,
                &shown,
                "is not a collection: any() and all() need one",
            )),
            (Use::Value, Shape::Object) => Err(FilterError::property(
                at,
                &shown,
                "is an object: compare one of its properties",
            )),
            (Use::Value, Shape::Collection) => Err(FilterError::property(
                at,
                &shown,
                "is a collection: filter it with any() or all()",
            )),
        }
    }

    fn lambda(
        &mut self,
        collection: Path,
        key: String,
        all: bool,
        at: usize,
    ) -> Result<Side, FilterError> {
        self.expect(&Kind::Open, "\"(\"")?;
        if self.peek().map(|t| &t.kind) == Some(&Kind::Close) {
            self.bump();
            if all {
                return Err(FilterError::syntax(at, "all() needs a condition"));
            }
            return Ok(Side::Lambda(Box::new(Lambda {
                collection,
                all,
                variable: String::new(),
                body: None,
            })));
        }
        let variable = match self.bump() {
            Some(Token {
                kind: Kind::Word(name),
                ..
            }) if !matches!(name.as_str(), "true" | "false" | "null") => name,
            _ => {
                return Err(FilterError::syntax(
                    at,
                    "expected a lambda variable, e.g. any(t:t/email eq '…')",
                ))
            }
        };
        self.expect(&Kind::Colon, "\":\" after the lambda variable")?;
        self.deeper()?;
        self.scopes.push((variable.clone(), key));
        let body = self.or();
        self.scopes.pop();
        self.depth -= 1;
        let body = body?;
        self.expect(&Kind::Close, "\")\" closing the lambda")?;
        Ok(Side::Lambda(Box::new(Lambda {
            collection,
            all,
            variable,
            body: Some(body),
        })))
    }
}

/// What a path is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Value,
    Collection,
}

enum Side {
    Operand(Operand),
    Lambda(Box<Lambda>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties() -> Properties {
        Properties::from_paths([
            ("status", Shape::Scalar, false),
            ("qualification", Shape::Scalar, false),
            ("customerProfile", Shape::Object, false),
            ("customerProfile/address", Shape::Object, false),
            ("customerProfile/address/country", Shape::Scalar, false),
            ("team", Shape::Collection, false),
            ("team/email", Shape::Scalar, true),
        ])
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let expr = parse(
            "status eq 'New' or status eq 'Active' and qualification eq 'SalesQualified'",
            Some(&properties()),
        )
        .unwrap();
        assert!(matches!(expr, Expr::Or(_, right) if matches!(*right, Expr::And(..))));
    }

    #[test]
    fn a_lambda_binds_its_variable_to_the_collection_items() {
        let expr = parse(
            "team/any(t:t/email eq 'r2d2@contoso.com')",
            Some(&properties()),
        )
        .unwrap();
        let Expr::Lambda(lambda) = expr else {
            panic!("not a lambda: {expr:?}")
        };
        assert_eq!(lambda.variable, "t");
        assert!(!lambda.all);
    }

    #[test]
    fn an_unknown_property_is_named_with_its_offset() {
        let error = parse("status eq 'New' and colour eq 'red'", Some(&properties())).unwrap_err();
        assert_eq!(error.property.as_deref(), Some("colour"));
        assert_eq!(error.at, 20);
    }

    #[test]
    fn a_property_inside_a_collection_needs_a_lambda() {
        let error = parse("team/email eq 'x'", Some(&properties())).unwrap_err();
        assert!(error.message.contains("any()"), "{error}");
        let error = parse("team/any(t:t/phone eq 'x')", Some(&properties())).unwrap_err();
        assert_eq!(error.property.as_deref(), Some("t/phone"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!(
            "{}status eq 'New'{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let error = parse(&text, Some(&properties())).unwrap_err();
        assert!(error.message.contains("nested"), "{error}");
    }

    #[test]
    fn bad_syntax_names_the_offset_of_the_offending_token() {
        let error = parse("status eq 'New' qualification", Some(&properties())).unwrap_err();
        assert_eq!(error.at, 16);
        let error = parse("status eq", Some(&properties())).unwrap_err();
        assert_eq!(error.at, 9);
    }
}
