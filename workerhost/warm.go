package workerhost

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	pb "github.com/dynworker/dynworker/proto/dynworker/v1"
	whpb "github.com/dynworker/dynworker/proto/workerhost/v1"
)

// linkMessages are the messages a workerhost sends and receives on its
// links.
var linkMessages = []proto.Message{
	&whpb.LoadRequest{}, &whpb.LoadResponse{},
	&pb.CallRequest{}, &pb.CallResponse{},
	&pb.FetchRequest{}, &pb.FetchResponse{},
	&whpb.LoaderGetRequest{}, &whpb.LoaderGetResponse{},
	&whpb.LoaderProvideRequest{}, &whpb.LoaderProvideResponse{},
	&whpb.LoaderLoadRequest{}, &whpb.LoaderLoadResponse{},
	&whpb.LogRequest{}, &whpb.LogResponse{},
	&whpb.DrainRequest{}, &whpb.DrainResponse{},
	&pb.Target{}, &pb.Empty{},
}

// warmMessages makes the protobuf runtime build its encoding tables for
// the link's messages and every message they contain. The runtime builds
// them on a type's first use, which took 0.3 to 0.45 ms of the first Load
// a workerhost received, so a blank workerhost does it while it waits in
// the pool.
func warmMessages() {
	seen := make(map[protoreflect.FullName]bool)
	for _, m := range linkMessages {
		warmMessage(m.ProtoReflect().Descriptor(), seen)
	}
}

func warmMessage(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) {
	if seen[md.FullName()] {
		return
	}
	seen[md.FullName()] = true
	if mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName()); err == nil {
		m := mt.New().Interface()
		if b, err := proto.Marshal(m); err == nil {
			_ = proto.Unmarshal(b, m)
		}
	}
	fields := md.Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if f.Message() != nil && !f.IsMap() {
			warmMessage(f.Message(), seen)
		}
		if f.IsMap() && f.MapValue().Message() != nil {
			warmMessage(f.MapValue().Message(), seen)
		}
	}
}
