package plugins

import (
	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/conformance/simctl"
	pb "github.com/mfspay/mfspay/plugins/proto"
)

func toPBSettings(s simctl.Settings) *pb.SettingsResponse {
	return &pb.SettingsResponse{
		Values:         copyMap(s.Values),
		BadCredentials: copyMap(s.BadCredentials),
		Secrets:        append([]string(nil), s.Secrets...),
	}
}

func fromPBSettings(s *pb.SettingsResponse) simctl.Settings {
	out := simctl.Settings{
		Values:         copyMap(s.GetValues()),
		BadCredentials: copyMap(s.GetBadCredentials()),
	}
	if len(s.GetSecrets()) > 0 {
		out.Secrets = append([]string(nil), s.GetSecrets()...)
	}
	return out
}

func toPBPayer(p simctl.Payer) *pb.Payer {
	return &pb.Payer{Method: string(p.Method), Sender: p.Sender, TrxId: p.TrxID, Pending: p.Pending}
}

func fromPBPayer(p *pb.Payer) simctl.Payer {
	return simctl.Payer{Method: mfspay.Method(p.GetMethod()), Sender: p.GetSender(), TrxID: p.GetTrxId(), Pending: p.GetPending()}
}

func toPBFault(f simctl.Fault) *pb.Fault {
	return &pb.Fault{
		Count:           int32(min(max(f.Count, -1<<30), 1<<30)),
		Status:          int32(min(max(f.Status, -1<<30), 1<<30)),
		Body:            f.Body,
		ContentType:     f.ContentType,
		RetryAfter:      toPBDuration(f.RetryAfter),
		Delay:           toPBDuration(f.Delay),
		Reset_:          f.Reset,
		ResetMidBody:    f.ResetMidBody,
		AfterProcessing: f.AfterProcessing,
		Tamper:          string(f.Tamper),
	}
}

func fromPBFault(f *pb.Fault) simctl.Fault {
	return simctl.Fault{
		Count:           int(f.GetCount()),
		Status:          int(f.GetStatus()),
		Body:            f.GetBody(),
		ContentType:     f.GetContentType(),
		RetryAfter:      fromPBDuration(f.GetRetryAfter()),
		Delay:           fromPBDuration(f.GetDelay()),
		Reset:           f.GetReset_(),
		ResetMidBody:    f.GetResetMidBody(),
		AfterProcessing: f.GetAfterProcessing(),
		Tamper:          simctl.Tamper(f.GetTamper()),
	}
}

func toPBNotifications(reqs []mfspay.WebhookRequest) []*pb.WebhookRequest {
	out := make([]*pb.WebhookRequest, 0, len(reqs))
	for _, r := range reqs {
		out = append(out, toPBWebhook(r))
	}
	return out
}

func fromPBNotifications(reqs []*pb.WebhookRequest) []mfspay.WebhookRequest {
	if len(reqs) == 0 {
		return nil
	}
	out := make([]mfspay.WebhookRequest, 0, len(reqs))
	for _, r := range reqs {
		out = append(out, fromPBWebhook(r))
	}
	return out
}
