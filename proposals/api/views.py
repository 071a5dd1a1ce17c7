from rest_framework import generics, permissions

from proposals.models import Topic

from .serializers import TopicSerializer


class TopicListView(generics.ListAPIView):
    serializer_class = TopicSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    queryset = Topic.objects.all()
