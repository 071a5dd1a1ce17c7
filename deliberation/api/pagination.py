from rest_framework.pagination import PageNumberPagination as BasePageNumberPagination


class PageNumberPagination(BasePageNumberPagination):
    """`{"count", "next", "previous", "results"}`; `?page=` and `?page_size=`
    (max 100)."""

    page_size_query_param = "page_size"
    max_page_size = 100


class LargePageNumberPagination(PageNumberPagination):
    """The same envelope for small reference lists (units, topics, policies): one page
    holds them all in most parties; `?page_size=` up to 1000."""

    page_size = 100
    max_page_size = 1000
