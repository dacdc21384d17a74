// dualgate interop client: WCF (System.ServiceModel) on Mono 6.8 (Debian package mono-devel).
//
// Compiled by ./run with the ClientBase proxy that mono's svcutil generated from the served WSDL.
// The proxy has no configuration and no address: as a .NET user would, this program builds the
// binding in code and gives the endpoint address.
//   SOAP 1.1: BasicHttpBinding, TransportCredentialOnly with HTTP Basic;
//   SOAP 1.2: CustomBinding of TextMessageEncodingBindingElement(MessageVersion.Soap12) and
//             HttpTransportBindingElement with HTTP Basic.
// Known quirks of this client (each is checked below rather than worked around):
//  - a fault becomes a FaultException only when it arrives with HTTP 500 (or 2xx); any other
//    status is a transport error, so dualgate answers every SOAP fault with 500 except the 401,
//    413, 415 and 429 raised before dispatch. The 401 of a wrong password is therefore a
//    WebException on mono (a MessageSecurityException around one on .NET Framework), and its
//    fault is only in WebException.Response;
//  - DataContractSerializer writes every member of ApiUser: Status and IsTieredRateLimitedApiUser
//    are Nullable<T> only because the WSDL makes them nillable, and a member left null is sent
//    as nil, which dualgate reads as "not given";
//  - mono's svcutil sets Action="*" on every operation, so the SOAPAction header is "*": dualgate
//    takes the operation from the Body;
//  - HttpWebRequest sends credentials only after a 401 challenge (WWW-Authenticate: Basic), so
//    every call is two requests.
// Every SOAP response the proxy reads (results and faults) is saved as received to
// $DUALGATE_RECORD_DIR by a message encoder wrapped around the binding's own (a message inspector
// would not do: mono throws a fault's FaultException before the inspectors see the reply).

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.ServiceModel;
using System.ServiceModel.Channels;
using System.Xml;
using apiconnector.com;

static class InteropClient
{
    const string Name = "wcf";
    static readonly string BaseUrl = Env("DUALGATE_URL");
    static readonly string Owner = Env("DUALGATE_OWNER_LOGIN");
    static readonly string OwnerPassword = Env("DUALGATE_OWNER_PASSWORD");
    static readonly string RecordDir = Env("DUALGATE_RECORD_DIR");
    static int failures;

    static int Main()
    {
        foreach (var ver in new[] { "soap11", "soap12" })
        {
            try
            {
                Lifecycle(ver);
            }
            catch (Exception e)
            {
                NotOk(ver + " lifecycle ran to the end", e.GetType().FullName + ": " + e.Message);
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /// What a .NET user writes to reach each port; see the README's interoperability table.
    static Binding BindingFor(string ver)
    {
        if (ver == "soap11")
        {
            var basic = new BasicHttpBinding(BasicHttpSecurityMode.TransportCredentialOnly);
            basic.Security.Transport.ClientCredentialType = HttpClientCredentialType.Basic;
            return basic;
        }
        return new CustomBinding(
            new TextMessageEncodingBindingElement(MessageVersion.Soap12, System.Text.Encoding.UTF8),
            new HttpTransportBindingElement { AuthenticationScheme = AuthenticationSchemes.Basic });
    }

    /// The binding of BindingFor(ver), its encoder wrapped by the recorder.
    static ApiServiceClient Connect(string ver, Recorder recorder, string login, string password)
    {
        var binding = new CustomBinding(BindingFor(ver));
        var encoding = binding.Elements.Find<MessageEncodingBindingElement>();
        binding.Elements[binding.Elements.IndexOf(encoding)] = new RecordingEncodingElement(encoding, recorder);
        var client = new ApiServiceClient(binding, new EndpointAddress(BaseUrl + "/v2/Api.svc"));
        client.ClientCredentials.UserName.UserName = login;
        client.ClientCredentials.UserName.Password = password;
        return client;
    }

    static void Lifecycle(string ver)
    {
        const string oldPassword = "Interop-7kq!Zm2";
        const string newPassword = "Interop-9tr#Wq5";
        string description = Name + " " + ver + " interop " + Guid.NewGuid().ToString("N").Substring(0, 8);
        var recorder = new Recorder(ver);
        var owner = Connect(ver, recorder, Owner, OwnerPassword);

        var operations = typeof(ApiService).GetMethods().Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal);
        CheckEq(ver + " svcutil proxy has the 10 operations",
                "CreateApiUser DeleteApiUser GetApiUserById GetApiUsers GetAuditEvents GetCurrentAccountInfo "
                + "GetServerTime SetApiUserPassword UnlockApiUser UpdateApiUser",
                string.Join(" ", operations));

        // create, leaving Status and IsTieredRateLimitedApiUser null: the defaults apply
        var created = owner.CreateApiUser(new ApiUser
        {
            Description = description,
            Password = oldPassword,
            ConfirmPassword = oldPassword,
        });
        int id = created.Id;
        string email = created.Email;
        Check(ver + " CreateApiUser Id > 0", id > 0, "Id=" + id);
        Check(ver + " CreateApiUser Email ends with @apiconnector.com",
              email != null && email.EndsWith("@apiconnector.com", StringComparison.Ordinal), "Email=" + email);
        CheckEq(ver + " CreateApiUser Description echoed", description, created.Description);
        CheckEq(ver + " CreateApiUser Status left null -> Enabled", ApiUserStatuses.Enabled, created.Status);
        CheckEq(ver + " CreateApiUser IsTieredRateLimitedApiUser left null -> true (Tiered)",
                true, created.IsTieredRateLimitedApiUser);
        CheckEq(ver + " CreateApiUser IsLocked false", false, created.IsLocked);
        Check(ver + " CreateApiUser Password not returned",
              created.Password == null && created.ConfirmPassword == null);

        // paging
        var page = owner.GetApiUsers(1, 0);
        Check(ver + " GetApiUsers(select=1, skip=0) returns exactly one",
              page != null && page.Length == 1, page == null ? "null" : "length " + page.Length);
        page = owner.GetApiUsers(1000, 0);
        Check(ver + " GetApiUsers(select=1000, skip=0) contains the new id with its email and description",
              page != null && page.Any(u => u.Id == id && u.Email == email && u.Description == description));
        page = owner.GetApiUsers(1000, 1000000);
        Check(ver + " GetApiUsers(skip past the end) returns none",
              page == null || page.Length == 0, "length " + (page == null ? 0 : page.Length));

        var got = owner.GetApiUserById(id);
        Check(ver + " GetApiUserById same id, email and description",
              got != null && got.Id == id && got.Email == email && got.Description == description, Describe(got));

        // updates from fresh ApiUser objects: only the members set change
        string description2 = description + " (updated)";
        var updated = owner.UpdateApiUser(id, new ApiUser { Description = description2, Status = ApiUserStatuses.Disabled });
        Check(ver + " UpdateApiUser(Description, Status Disabled) shows both",
              updated.Description == description2 && updated.Status == ApiUserStatuses.Disabled, Describe(updated));
        string description3 = description + " (renamed)";
        updated = owner.UpdateApiUser(id, new ApiUser { Description = description3 });
        Check(ver + " UpdateApiUser(new ApiUser { Description }) keeps Status Disabled and the Tiered scheme",
              updated.Description == description3 && updated.Status == ApiUserStatuses.Disabled
              && updated.IsTieredRateLimitedApiUser == true, Describe(updated));
        updated = owner.UpdateApiUser(id, new ApiUser { Status = ApiUserStatuses.Enabled, IsTieredRateLimitedApiUser = false });
        Check(ver + " UpdateApiUser(Status Enabled, IsTieredRateLimitedApiUser false) keeps the Description",
              updated.Description == description3 && updated.Status == ApiUserStatuses.Enabled
              && updated.IsTieredRateLimitedApiUser == false, Describe(updated));
        string description4 = description + " (flat)";
        updated = owner.UpdateApiUser(id, new ApiUser { Description = description4 });
        Check(ver + " UpdateApiUser(new ApiUser { Description }) keeps Status Enabled and the Flat scheme",
              updated.Description == description4 && updated.Status == ApiUserStatuses.Enabled
              && updated.IsTieredRateLimitedApiUser == false, Describe(updated));
        got = owner.GetApiUserById(id);
        Check(ver + " GetApiUserById after the updates: Enabled, Flat, last Description",
              got.Description == description4 && got.Status == ApiUserStatuses.Enabled
              && got.IsTieredRateLimitedApiUser == false, Describe(got));

        // password faults, then the new password
        ExpectFault(ver, ver + " SetApiUserPassword(weak)", "ERROR_WEAK_PASSWORD",
                    () => owner.SetApiUserPassword(id, "weak", "weak"));
        ExpectFault(ver, ver + " SetApiUserPassword(confirmation differs)", "ERROR_PASSWORDS_DO_NOT_MATCH",
                    () => owner.SetApiUserPassword(id, newPassword, newPassword + "x"));
        owner.SetApiUserPassword(id, newPassword, newPassword);
        Ok(ver + " SetApiUserPassword accepted");

        // as the API user
        var apiUser = Connect(ver, recorder, email, newPassword);
        var account = apiUser.GetCurrentAccountInfo();
        var ownerAccount = owner.GetCurrentAccountInfo();
        Check(ver + " GetCurrentAccountInfo (API user) Id > 0 and equal to the owner's",
              account.Id > 0 && account.Id == ownerAccount.Id, "API user " + account.Id + ", owner " + ownerAccount.Id);
        var properties = (account.Properties ?? new ApiAccountProperty[0]).ToDictionary(p => p.Name, p => p.Value);
        CheckEq(ver + " GetCurrentAccountInfo ApiEndpoint = " + BaseUrl + "/", BaseUrl + "/", Property(properties, "ApiEndpoint"));
        Check(ver + " GetCurrentAccountInfo has a Name", !string.IsNullOrEmpty(Property(properties, "Name")));
        var serverTime = apiUser.GetServerTime();
        Check(ver + " GetServerTime (API user) is UTC and not before the user's Created",
              serverTime.Kind == DateTimeKind.Utc && serverTime >= created.Created.ToUniversalTime(),
              serverTime.ToString("o") + " vs Created " + created.Created.ToString("o"));
        ExpectFault(ver, ver + " GetApiUsers as the API user", "ERROR_PERMISSION_DENIED",
                    () => apiUser.GetApiUsers(10, 0));

        // a wrong password: HTTP 401, reported by the transport, not as a fault
        var stale = Connect(ver, recorder, email, oldPassword);
        try
        {
            stale.GetServerTime();
            NotOk(ver + " old password refused with HTTP 401", "the call succeeded");
        }
        catch (FaultException e)
        {
            NotOk(ver + " old password refused with HTTP 401", "a FaultException, so not a 401: " + e.Message);
        }
        catch (Exception e)
        {
            // Mono throws the WebException itself; .NET Framework wraps it in a CommunicationException
            // (MessageSecurityException "The HTTP request is unauthorized...").
            var web = e as WebException ?? e.InnerException as WebException;
            var response = web == null ? null : web.Response as HttpWebResponse;
            Check(ver + " old password refused with HTTP 401, reported by the transport as " + e.GetType().Name,
                  response != null && response.StatusCode == HttpStatusCode.Unauthorized,
                  e.GetType().FullName + ": " + e.Message);
            if (response != null)
            {
                CheckEq(ver + " the 401 carries WWW-Authenticate", "Basic realm=\"dualgate\"",
                        response.Headers[HttpResponseHeader.WwwAuthenticate]);
                string body;
                using (var reader = new StreamReader(response.GetResponseStream())) body = reader.ReadToEnd();
                Check(ver + " the 401's body, read from WebException.Response, is a fault with ERROR_INVALID_LOGIN",
                      body.Contains("Fault") && body.Contains("ERROR_INVALID_LOGIN"), body);
            }
        }

        ExpectFault(ver, ver + " GetApiUserById(999999999)", "ERROR_APIUSER_NOT_FOUND",
                    () => owner.GetApiUserById(999999999));

        owner.DeleteApiUser(id);
        Ok(ver + " DeleteApiUser accepted");
        ExpectFault(ver, ver + " GetApiUserById after delete", "ERROR_APIUSER_NOT_FOUND",
                    () => owner.GetApiUserById(id));

        string contentType = ver == "soap11" ? "text/xml" : "application/soap+xml";
        CheckEq(ver + " every response Content-Type is " + contentType + "; charset=utf-8",
                contentType + "; charset=utf-8", string.Join(", ", recorder.ContentTypes));
        CheckEq(ver + " every response begins with the XML declaration", true, recorder.AllDeclared);
        owner.Close();
        apiUser.Close();
    }

    /// Calls `call`, expecting a FaultException whose reason ends with `code` and whose fault code
    /// is the caller's (Client in SOAP 1.1, Sender in SOAP 1.2).
    static void ExpectFault(string ver, string what, string code, Action call)
    {
        try
        {
            call();
            NotOk(what + " -> FaultException " + code, "the call succeeded");
        }
        catch (FaultException e)
        {
            CheckEq(what + " -> FaultException " + code, code, e.Message.Split(' ').Last());
            string kind = ver == "soap11" ? "Client" : "Sender";
            CheckEq(what + " fault code is " + kind, kind, e.Code == null ? null : e.Code.Name);
        }
    }

    static string Property(Dictionary<string, string> properties, string name)
    {
        string value;
        return properties.TryGetValue(name, out value) ? value : null;
    }

    static string Describe(ApiUser u)
    {
        if (u == null) return "null user";
        return "Id=" + u.Id + " Email=" + u.Email + " Description=" + u.Description + " Status=" + u.Status
            + " IsTieredRateLimitedApiUser=" + u.IsTieredRateLimitedApiUser;
    }

    static void CheckEq<T>(string what, T want, T got)
    {
        Check(what, EqualityComparer<T>.Default.Equals(want, got), "expected <" + want + "> got <" + got + ">");
    }

    static void Check(string what, bool condition, string detail = "false")
    {
        if (condition) Ok(what);
        else NotOk(what, detail);
    }

    static void Ok(string what) { Console.WriteLine("ok - " + what); }

    static void NotOk(string what, string detail)
    {
        failures++;
        Console.WriteLine("not ok - " + what + ": " + detail);
    }

    static string Env(string name)
    {
        string value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(value)) throw new InvalidOperationException(name + " is not set");
        return value;
    }

    /// Saves every reply as wcf-<ver>-<nn>-<Operation>.xml, byte for byte, and notes its Content-Type.
    sealed class Recorder
    {
        static int sequence;
        static readonly byte[] Declaration = System.Text.Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        readonly string ver;
        public readonly SortedSet<string> ContentTypes = new SortedSet<string>();
        public bool AllDeclared = true;
        public string Operation = "Unknown";

        public Recorder(string ver) { this.ver = ver; }

        /// The request's operation: the Body's first child.
        public void Sent(ArraySegment<byte> request)
        {
            using (var reader = XmlReader.Create(new MemoryStream(request.Array, request.Offset, request.Count)))
            {
                while (reader.Read() && !(reader.NodeType == XmlNodeType.Element && reader.LocalName == "Body")) { }
                reader.Read();
                reader.MoveToContent();
                Operation = reader.LocalName;
            }
        }

        public void Received(ArraySegment<byte> reply, string contentType)
        {
            ContentTypes.Add(contentType);
            var bytes = new byte[reply.Count];
            Array.Copy(reply.Array, reply.Offset, bytes, 0, reply.Count);
            AllDeclared &= bytes.Take(Declaration.Length).SequenceEqual(Declaration);
            File.WriteAllBytes(Path.Combine(RecordDir, string.Format("{0}-{1}-{2:00}-{3}.xml",
                Name, ver, System.Threading.Interlocked.Increment(ref sequence), Operation)), bytes);
        }
    }

    sealed class RecordingEncodingElement : MessageEncodingBindingElement
    {
        readonly MessageEncodingBindingElement inner;
        readonly Recorder recorder;

        public RecordingEncodingElement(MessageEncodingBindingElement inner, Recorder recorder)
        {
            this.inner = inner;
            this.recorder = recorder;
        }

        public override MessageVersion MessageVersion
        {
            get { return inner.MessageVersion; }
            set { inner.MessageVersion = value; }
        }

        public override MessageEncoderFactory CreateMessageEncoderFactory()
        {
            return new RecordingEncoderFactory(inner.CreateMessageEncoderFactory(), recorder);
        }

        public override BindingElement Clone()
        {
            return new RecordingEncodingElement((MessageEncodingBindingElement) inner.Clone(), recorder);
        }

        public override IChannelFactory<TChannel> BuildChannelFactory<TChannel>(BindingContext context)
        {
            context.BindingParameters.Add(this);
            return context.BuildInnerChannelFactory<TChannel>();
        }

        public override T GetProperty<T>(BindingContext context)
        {
            return inner.GetProperty<T>(context);
        }
    }

    sealed class RecordingEncoderFactory : MessageEncoderFactory
    {
        readonly MessageEncoder encoder;

        public RecordingEncoderFactory(MessageEncoderFactory inner, Recorder recorder)
        {
            encoder = new RecordingEncoder(inner.Encoder, recorder);
        }

        public override MessageEncoder Encoder { get { return encoder; } }
        public override MessageVersion MessageVersion { get { return encoder.MessageVersion; } }
    }

    sealed class RecordingEncoder : MessageEncoder
    {
        readonly MessageEncoder inner;
        readonly Recorder recorder;

        public RecordingEncoder(MessageEncoder inner, Recorder recorder)
        {
            this.inner = inner;
            this.recorder = recorder;
        }

        public override string ContentType { get { return inner.ContentType; } }
        public override string MediaType { get { return inner.MediaType; } }
        public override MessageVersion MessageVersion { get { return inner.MessageVersion; } }
        public override bool IsContentTypeSupported(string contentType) { return inner.IsContentTypeSupported(contentType); }

        public override Message ReadMessage(ArraySegment<byte> buffer, BufferManager bufferManager, string contentType)
        {
            recorder.Received(buffer, contentType);
            return inner.ReadMessage(buffer, bufferManager, contentType);
        }

        public override Message ReadMessage(Stream stream, int maxSizeOfHeaders, string contentType)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            recorder.Received(new ArraySegment<byte>(copy.ToArray()), contentType);
            copy.Position = 0;
            return inner.ReadMessage(copy, maxSizeOfHeaders, contentType);
        }

        public override ArraySegment<byte> WriteMessage(Message message, int maxMessageSize, BufferManager bufferManager, int messageOffset)
        {
            var written = inner.WriteMessage(message, maxMessageSize, bufferManager, messageOffset);
            recorder.Sent(written);
            return written;
        }

        public override void WriteMessage(Message message, Stream stream)
        {
            var copy = new MemoryStream();
            inner.WriteMessage(message, copy);
            recorder.Sent(new ArraySegment<byte>(copy.ToArray()));
            copy.Position = 0;
            copy.CopyTo(stream);
        }
    }
}
