//! Paginated actions as streams of pages and of items.
//!
//! Two styles exist in Alibaba's RPC APIs: page numbers (`PageNumber`,
//! `PageSize`, `TotalCount`) and tokens (`NextToken`, `MaxResults`). Which
//! one an action uses is declared in the spec; the generated code only says
//! how to move a request to the next page and how to read a page.

use futures_util::Stream;

use crate::{Client, Operation, SdkError};

/// How an action pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// `PageNumber` (from 1) and `PageSize` in the request, `TotalCount` in
    /// the response. The stream stops when the items seen reach
    /// `TotalCount`, or at an empty page.
    PageNumber,
    /// `NextToken` and `MaxResults` in the request, `NextToken` in the
    /// response. The stream stops at a missing, empty or repeated token, or
    /// at an empty page.
    NextToken,
}

/// What a page says about the pages after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// Items on this page.
    pub items: usize,
    /// `TotalCount`, when the service sends it.
    pub total_count: Option<i64>,
    /// `NextToken`, when the service sends it.
    pub next_token: Option<String>,
}

/// A paginated action. Generated for every action the spec marks paginated.
pub trait Paginated: Operation + Clone + Send + Sync + 'static {
    /// One element of a page's list, as [`Client::items`] yields it.
    type Item;
    /// How the action pages.
    const STYLE: PageStyle;
    /// The page number the request asks for (page number style), if set.
    fn page_number(&self) -> Option<i32> {
        None
    }
    /// Points the request at page `page` (page number style).
    fn set_page_number(&mut self, _page: i32) {}
    /// Points the request at the page after `token` (token style).
    fn set_next_token(&mut self, _token: String) {}
    /// What `page` says about the pages after it.
    fn page_info(page: &Self::Output) -> PageInfo;
    /// The items of `page`, in the order the service sent them; empty when
    /// the page has no list.
    fn into_items(page: Self::Output) -> Vec<Self::Item>;
}

struct Cursor<O> {
    request: O,
    page: i32,
    seen: i64,
    last_token: Option<String>,
}

/// Decides whether there is a page after `info`, and moves the cursor there.
fn advance<O: Paginated>(cursor: &mut Cursor<O>, info: PageInfo) -> bool {
    if info.items == 0 {
        return false;
    }
    cursor.seen += info.items as i64;
    match O::STYLE {
        PageStyle::PageNumber => {
            if info.total_count.is_some_and(|total| cursor.seen >= total) {
                return false;
            }
            cursor.page += 1;
            cursor.request.set_page_number(cursor.page);
            true
        }
        PageStyle::NextToken => match info.next_token.filter(|t| !t.is_empty()) {
            // A token that repeats would loop forever; stop instead.
            Some(token) if cursor.last_token.as_deref() != Some(token.as_str()) => {
                cursor.last_token = Some(token.clone());
                cursor.request.set_next_token(token);
                true
            }
            _ => false,
        },
    }
}

impl Client {
    /// Every page of `request`, in order, ending after the last page, an
    /// empty page, or a page without a next token. An error ends the stream
    /// after being yielded.
    pub fn pages<O: Paginated>(
        &self,
        request: O,
    ) -> impl Stream<Item = Result<O::Output, SdkError<O::Error>>> + Send + Unpin + 'static
    where
        O::Output: Send,
        O::Error: Send,
    {
        let client = self.clone();
        let page = request.page_number().unwrap_or(1);
        let start = Cursor { request, page, seen: 0, last_token: None };
        // Boxed so that the stream is `Unpin`: callers can use `next()`
        // without pinning it first.
        Box::pin(futures_util::stream::unfold(Some(start), move |cursor| {
            let client = client.clone();
            async move {
                let mut cursor = cursor?;
                match client.send(&cursor.request).await {
                    Err(e) => Some((Err(e), None)),
                    Ok(page) => {
                        let more = advance(&mut cursor, O::page_info(&page));
                        Some((Ok(page), more.then_some(cursor)))
                    }
                }
            }
        }))
    }

    /// Every item of every page of `request`.
    pub fn items<O: Paginated>(
        &self,
        request: O,
    ) -> impl Stream<Item = Result<O::Item, SdkError<O::Error>>> + Send + Unpin + 'static
    where
        O::Output: Send,
        O::Error: Send,
        O::Item: Send,
    {
        use futures_util::StreamExt as _;
        self.pages(request).flat_map(|page| {
            let items: Vec<Result<O::Item, SdkError<O::Error>>> = match page {
                Ok(page) => O::into_items(page).into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(items)
        })
    }
}
