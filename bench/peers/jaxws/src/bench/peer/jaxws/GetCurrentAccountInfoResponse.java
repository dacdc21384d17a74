package bench.peer.jaxws;

import bench.peer.ApiAccount;
import javax.xml.bind.annotation.XmlAccessType;
import javax.xml.bind.annotation.XmlAccessorType;
import javax.xml.bind.annotation.XmlElement;
import javax.xml.bind.annotation.XmlRootElement;
import javax.xml.bind.annotation.XmlType;

/** The response wrapper, written by hand: Debian's JAX-WS RI cannot generate it on JDK 17. */
@XmlRootElement(name = "GetCurrentAccountInfoResponse", namespace = "http://apiconnector.com/v2")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "GetCurrentAccountInfoResponse", namespace = "http://apiconnector.com/v2")
public class GetCurrentAccountInfoResponse {
    @XmlElement(name = "GetCurrentAccountInfoResult", namespace = "http://apiconnector.com/v2")
    private ApiAccount getCurrentAccountInfoResult;
}
