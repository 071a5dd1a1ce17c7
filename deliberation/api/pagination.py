from rest_framework.pagination import PageNumberPagination as BasePageNumberPagination

from deliberation.inputs import query_int


class PageNumberPagination(BasePageNumberPagination):
    """`{"count", "next", "previous", "results"}`; `?page=` and `?page_size=` (max 100).

    `page_size` is read like every other integer (`deliberation.inputs.query_int`): a
    whole number ≥ 1 or a 400 naming it; above the maximum it is capped."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        size = query_int(request.query_params, self.page_size_query_param)
        if size is None:
            return self.page_size
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class LargePageNumberPagination(PageNumberPagination):
    """The same envelope for small reference lists (units, topics, policies): one page
    holds them all in most parties; `?page_size=` up to 1000."""

    page_size = 100
    max_page_size = 1000
