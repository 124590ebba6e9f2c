import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DESCRIPTOR_FILE, renderDescriptorModule } from "../../scripts/gen-ensign-descriptor.js";
import { ENSIGN_SERVICE, HEALTH_SERVICE, ensignRoot } from "../../src/adapters/ensign/wire/index.js";

describe("Ensign descriptor", () => {
  it("the committed descriptor module matches the .proto files (run scripts/gen-ensign-descriptor.ts)", () => {
    expect(readFileSync(DESCRIPTOR_FILE, "utf8")).toBe(renderDescriptorModule());
  });

  it("declares the 13 Ensign RPCs with their wire paths and streaming flags", () => {
    const shape = Object.fromEntries(
      Object.entries(ENSIGN_SERVICE).map(([name, m]) => [name, [m.path, m.requestStream, m.responseStream]]),
    );
    expect(shape).toEqual({
      Publish: ["/ensign.v1beta1.Ensign/Publish", true, true],
      Subscribe: ["/ensign.v1beta1.Ensign/Subscribe", true, true],
      EnSQL: ["/ensign.v1beta1.Ensign/EnSQL", false, true],
      Explain: ["/ensign.v1beta1.Ensign/Explain", false, false],
      ListTopics: ["/ensign.v1beta1.Ensign/ListTopics", false, false],
      CreateTopic: ["/ensign.v1beta1.Ensign/CreateTopic", false, false],
      RetrieveTopic: ["/ensign.v1beta1.Ensign/RetrieveTopic", false, false],
      DeleteTopic: ["/ensign.v1beta1.Ensign/DeleteTopic", false, false],
      TopicNames: ["/ensign.v1beta1.Ensign/TopicNames", false, false],
      TopicExists: ["/ensign.v1beta1.Ensign/TopicExists", false, false],
      SetTopicPolicy: ["/ensign.v1beta1.Ensign/SetTopicPolicy", false, false],
      Info: ["/ensign.v1beta1.Ensign/Info", false, false],
      Status: ["/ensign.v1beta1.Ensign/Status", false, false],
    });
    expect(Object.values(HEALTH_SERVICE).map((m) => m.path)).toEqual([
      "/grpc.health.v1.Health/Check",
      "/grpc.health.v1.Health/Watch",
    ]);
  });

  it("uses the sheet's request and response types", () => {
    const service = ensignRoot().lookupService("ensign.v1beta1.Ensign");
    const types = Object.fromEntries(service.methodsArray.map((m) => [m.name, `${m.requestType}->${m.responseType}`]));
    expect(types).toEqual({
      Publish: "PublisherRequest->PublisherReply",
      Subscribe: "SubscribeRequest->SubscribeReply",
      EnSQL: "Query->EventWrapper",
      Explain: "Query->QueryExplanation",
      ListTopics: "PageInfo->TopicsPage",
      CreateTopic: "Topic->Topic",
      RetrieveTopic: "Topic->Topic",
      DeleteTopic: "TopicMod->TopicStatus",
      TopicNames: "PageInfo->TopicNamesPage",
      TopicExists: "TopicName->TopicExistsInfo",
      SetTopicPolicy: "TopicPolicy->TopicStatus",
      Info: "InfoRequest->ProjectInfo",
      Status: "HealthCheck->ServiceState",
    });
  });
});
