// mvc cat-object: a stored object's header fields, or its raw stored bytes (plumbing).
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "codec/chunk_codec.h"
#include "core/tensor_record.h"
#include "objectstore/object_envelope.h"
#include "objectstore/object_store.h"

namespace mvc::cli {

void AddCatObject(CLI::App& sub, Action& run) {
  struct Args {
    std::string id;
    bool raw = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("id", args->id, "Object id or unique prefix (at least 4 hex digits)")->required();
  sub.add_flag("--raw", args->raw, "Write the object's stored bytes (envelope included) to stdout");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      ObjectStore& store = repo->store();
      MVC_ASSIGN_OR_RETURN(ObjectId id, store.ResolvePrefix(args->id));
      MVC_ASSIGN_OR_RETURN(StoredObject object, store.Get(id));
      if (args->raw) {
        Bytes envelope = WrapObject(object.kind, object.body);
        if (::write(STDOUT_FILENO, envelope.data(), envelope.size()) != static_cast<ssize_t>(envelope.size())) {
          return Status::FromErrno(errno, "write stdout");
        }
        return Status::Ok();
      }
      nlohmann::json out = {{"id", id.ToHex()}, {"stored_bytes", object.stored_bytes}};
      if (object.kind == ObjectKind::kTensor) {
        MVC_ASSIGN_OR_RETURN(TensorRecord r, TensorRecord::Parse(object.body));
        nlohmann::json chunks = nlohmann::json::array();
        for (const ObjectId& c : r.chunk_ids) chunks.push_back(c.ToHex());
        out.update({{"kind", "tensor"}, {"dtype", DtypeName(r.dtype)}, {"shape", r.shape},
                    {"bytes", r.num_bytes}, {"chunks", chunks}});
      } else {
        MVC_ASSIGN_OR_RETURN(ChunkFrameView frame, ParseChunkFrame(object.body));
        out.update({{"kind", "chunk"}, {"codec", CodecName(frame.codec)}, {"dtype", DtypeName(frame.dtype)},
                    {"raw_bytes", frame.raw_size},
                    {"base", frame.base_id ? nlohmann::json(frame.base_id->ToHex()) : nlohmann::json(nullptr)},
                    {"payload_bytes", frame.payload.size()}});
      }
      if (args->json) {
        PrintJson(out);
      } else {
        for (auto& [key, value] : out.items()) {
          if (key == "chunks") {
            for (const auto& c : value) std::cout << "chunk " << c.get<std::string>() << "\n";
          } else {
            std::cout << key << " " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
          }
        }
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
