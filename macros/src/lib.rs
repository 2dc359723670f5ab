//! `#[golang::test]`: an `async fn` test run on the deterministic executor
//! for many seeds, through `golang::sched::testing::check_seeds` (so
//! `GOLANG_SEED`, `GOLANG_REPLAY` and `GOLANG_EXPLORE` work as they do
//! there).
//!
//! ```ignore
//! #[golang::test]                 // seeds 0..100
//! async fn send_then_receive() { /* ... */ }
//!
//! #[golang::test(seeds = 20)]     // seeds 0..20
//! async fn cancel_races_completion() { /* ... */ }
//! ```
//!
//! expands to a `#[test] fn` of the same name (its other attributes kept,
//! e.g. `#[should_panic]`, `#[ignore]`) whose body is
//! `check_seeds(N, body)` with the `async fn` as `body`. A failing seed
//! panics with the seed and the command that reruns it.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Seeds a test runs for when the attribute does not say.
const DEFAULT_SEEDS: u64 = 100;

/// See the crate's documentation.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(args, item) {
        Ok(ts) => ts,
        Err((msg, span)) => compile_error(&msg, span),
    }
}

type Error = (String, Span);

fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream, Error> {
    let seeds = parse_seeds(args)?;
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    // Leading attributes and visibility are kept on the test function.
    let mut i = 0;
    let mut attrs = Vec::new();
    while i + 1 < tokens.len() && is_punct(&tokens[i], '#') && matches!(&tokens[i + 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket) {
        attrs.push(tokens[i].clone());
        attrs.push(tokens[i + 1].clone());
        i += 2;
    }
    while i < tokens.len() && !is_ident(&tokens[i], "async") && !is_ident(&tokens[i], "fn") {
        i += 1; // visibility (`pub`, `pub(crate)`): a test needs none
    }
    let span = tokens.get(i).map_or_else(Span::call_site, |t| t.span());
    if !tokens.get(i).is_some_and(|t| is_ident(t, "async")) {
        return Err(("#[golang::test] wants an `async fn` (it runs on the deterministic executor)".into(), span));
    }
    let name = match (tokens.get(i + 1), tokens.get(i + 2)) {
        (Some(f), Some(TokenTree::Ident(name))) if is_ident(f, "fn") => name.clone(),
        _ => return Err(("#[golang::test] wants an `async fn NAME() { ... }`".into(), span)),
    };
    match tokens.get(i + 3) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis && g.stream().is_empty() => {}
        Some(t) => return Err(("a #[golang::test] function takes no arguments".into(), t.span())),
        None => return Err(("#[golang::test] wants an `async fn NAME() { ... }`".into(), name.span())),
    }
    let body = match tokens.get(i + 4) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace && tokens.len() == i + 5 => g.clone(),
        Some(t) => return Err(("a #[golang::test] function returns nothing (a failure panics)".into(), t.span())),
        None => return Err(("#[golang::test] wants an `async fn NAME() { ... }`".into(), name.span())),
    };

    // #[test] fn NAME() { async fn __golang_test_body() BODY
    //     ::golang::sched::testing::check_seeds(SEEDS, __golang_test_body); }
    let inner = Ident::new("__golang_test_body", Span::mixed_site());
    let mut f = TokenStream::new();
    f.extend([TokenTree::Ident(Ident::new("async", Span::call_site())), TokenTree::Ident(Ident::new("fn", Span::call_site()))]);
    f.extend([TokenTree::Ident(inner.clone()), TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new()))]);
    f.extend([TokenTree::Group(body)]);
    let mut call = path(&["golang", "sched", "testing", "check_seeds"]);
    let mut call_args = TokenStream::new();
    call_args.extend([
        TokenTree::Literal(Literal::u64_suffixed(seeds)),
        TokenTree::Punct(Punct::new(',', Spacing::Alone)),
        TokenTree::Ident(inner),
    ]);
    call.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, call_args)), TokenTree::Punct(Punct::new(';', Spacing::Alone))]);
    f.extend(call);

    let mut out = TokenStream::new();
    out.extend([
        TokenTree::Punct(Punct::new('#', Spacing::Alone)),
        TokenTree::Group(Group::new(Delimiter::Bracket, TokenStream::from(TokenTree::Ident(Ident::new("test", Span::call_site()))))),
    ]);
    out.extend(attrs);
    out.extend([
        TokenTree::Ident(Ident::new("fn", Span::call_site())),
        TokenTree::Ident(name),
        TokenTree::Group(Group::new(Delimiter::Parenthesis, TokenStream::new())),
        TokenTree::Group(Group::new(Delimiter::Brace, f)),
    ]);
    Ok(out)
}

/// `` (the default) or `seeds = N`.
fn parse_seeds(args: TokenStream) -> Result<u64, Error> {
    let t: Vec<TokenTree> = args.into_iter().collect();
    match t.as_slice() {
        [] => Ok(DEFAULT_SEEDS),
        [TokenTree::Ident(k), eq, TokenTree::Literal(n)] if k.to_string() == "seeds" && is_punct(eq, '=') => {
            let text = n.to_string().replace('_', "");
            let text = text.strip_suffix("u64").unwrap_or(&text);
            match text.parse::<u64>() {
                Ok(0) => Err(("seeds = 0 runs nothing: give at least 1".into(), n.span())),
                Ok(v) => Ok(v),
                Err(_) => Err(("seeds wants a whole number of runs, e.g. seeds = 100".into(), n.span())),
            }
        }
        _ => Err(("#[golang::test] takes `seeds = N` or nothing".into(), t[0].span())),
    }
}

fn is_punct(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

fn is_ident(t: &TokenTree, s: &str) -> bool {
    matches!(t, TokenTree::Ident(i) if i.to_string() == s)
}

/// `::a::b::c`.
fn path(segments: &[&str]) -> TokenStream {
    let mut ts = TokenStream::new();
    for s in segments {
        ts.extend([TokenTree::Punct(Punct::new(':', Spacing::Joint)), TokenTree::Punct(Punct::new(':', Spacing::Alone))]);
        ts.extend([TokenTree::Ident(Ident::new(s, Span::call_site()))]);
    }
    ts
}

/// `compile_error!("msg");` at `span`.
fn compile_error(msg: &str, span: Span) -> TokenStream {
    let mut lit = Literal::string(msg);
    lit.set_span(span);
    let mut ts = TokenStream::new();
    let mut bang = Punct::new('!', Spacing::Alone);
    bang.set_span(span);
    let mut id = Ident::new("compile_error", span);
    id.set_span(span);
    let mut g = Group::new(Delimiter::Parenthesis, TokenStream::from(TokenTree::Literal(lit)));
    g.set_span(span);
    let mut semi = Punct::new(';', Spacing::Alone);
    semi.set_span(span);
    ts.extend([TokenTree::Ident(id), TokenTree::Punct(bang), TokenTree::Group(g), TokenTree::Punct(semi)]);
    ts
}
